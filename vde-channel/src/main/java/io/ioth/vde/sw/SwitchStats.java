package io.ioth.vde.sw;

/**
 * Switch-wide counters of an {@link EmbeddedSwitch} (a snapshot; counters of open ports are read
 * without synchronization, so they may lag by a few frames while traffic flows).
 *
 * @param ports ports in use now
 * @param unicast frames forwarded to one learned port
 * @param flooded frames sent to every other port (group or unknown destination, or hub mode)
 * @param filtered frames whose destination was learned on their own ingress port (dropped, as vde_switch does)
 * @param queueFull copies dropped because a receiving port's input queue was full
 * @param macs learned MAC entries (including expired ones not yet collected)
 */
public record SwitchStats(int ports, long unicast, long flooded, long filtered, long queueFull, int macs) {
}

package io.ioth.vde.sw;

/**
 * What an {@link Impairment} did to the frames for one port (a snapshot).
 *
 * @param lost frames dropped by {@code loss}
 * @param duplicated frames delivered twice
 * @param reordered frames held back by {@code reorder}
 * @param corrupted frames that got a bit flipped (in a private copy)
 * @param queueFull frames dropped because the delay queue was at its bound
 * @param inFlight frames queued now, not yet due
 */
public record ImpairmentStats(long lost, long duplicated, long reordered, long corrupted, long queueFull,
                              long inFlight) {
}

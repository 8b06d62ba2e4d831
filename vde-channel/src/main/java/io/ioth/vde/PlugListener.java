package io.ioth.vde;

/**
 * Connection events of a {@link VdePlug}, delivered on the plug's owner thread from inside
 * {@link VdePlug#read} (never re-entrantly from {@link VdePlug#write}).
 */
public interface PlugListener {
    /** The wire went away (switch died, cable command exited, EOF on a stream). */
    default void onDisconnected(VdePlug plug, Throwable cause) {}

    /** An auto-reconnecting plug rejoined its switch. */
    default void onReconnected(VdePlug plug) {}

    PlugListener NOOP = new PlugListener() {};
}

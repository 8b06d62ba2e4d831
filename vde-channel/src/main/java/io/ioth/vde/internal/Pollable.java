package io.ioth.vde.internal;

/**
 * How a plug takes part in a {@link io.ioth.vde.VdePoller}: the file descriptors it waits on,
 * in-JVM readiness, and deadlines of its own (reconnect back-off, delayed frames). Every plug
 * implementation implements this; the owner thread calls all of it.
 */
public interface Pollable {

    /** Adds the plug's descriptors with the events it waits for now (POLLIN, POLLOUT when it has a backlog). */
    void pollFds(PollSet set);

    /** Called for each descriptor the plug added whose revents are non-zero. */
    void pollEvents(int fd, int revents);

    /** True when {@link io.ioth.vde.VdePlug#read} would deliver something at once, so the poller must not block. */
    boolean readyNow();

    /** The next time (on the plug's ticker) it needs {@code read} called even if no fd fires; {@code Long.MAX_VALUE} if none. */
    long nextDeadlineNanos();

    /** In-JVM wires call {@code wakeup} (from any thread) when input arrives for a plug whose owner may be blocked. */
    void wakeup(Runnable wakeup);

    /** A registry of (fd, events) pairs for one poll call. */
    interface PollSet {
        void add(Pollable owner, int fd, short events);
    }
}

package io.ioth.tcpip.iface;

import io.ioth.tcpip.storage.TimerWheel;

/**
 * The stack's one timer wheel, shared by every layer and protocol (style.md §2 "Where timers live"): a client
 * registers once and gets a small id; each timer carries a 56-bit value of the client's choosing (a socket slot and
 * generation, an interface and address...), handed back on expiry. Nothing is allocated per timer.
 *
 * <pre>
 *   cookie = clientId &lt;&lt; 56 | value        (value: 0 .. 2^56-1)
 * </pre>
 *
 * <p>Timers fire at or after their deadline, at the wheel's tick granularity (~1 ms), from the stack's
 * {@code poll}. A client that moves a deadline later often (TCP's retransmit timer on every ACK) should keep the
 * timer and re-check its own deadline on expiry (gVisor {@code tcp/timer.go}) rather than cancel and re-arm.
 *
 * <p>Client ids are a scarce resource ({@link #MAX_CLIENTS}, 7 bits of the cookie): a client that comes and goes
 * with a lease, a socket or a session (a DHCP client closed and started again) must give its id back with
 * {@link #unregister} when it is done, which also cancels whatever timers it left scheduled.
 *
 * <p>The wheel starts small and grows with the number of scheduled timers (see {@link TimerWheel}): an idle stack
 * keeps a few hundred bytes here, a stack with thousands of connections the spokes it needs.
 *
 * <p>Not thread-safe: owner thread only. Clients may schedule and cancel from {@link Client#onTimer}, and
 * unregister themselves there.
 */
public final class StackTimers {
    /** Largest value a timer can carry. */
    public static final long MAX_VALUE = (1L << 56) - 1;
    public static final int MAX_CLIENTS = 127;

    /** Receives the expiries of its timers. */
    @FunctionalInterface
    public interface Client {
        void onTimer(long value, long nowNanos);
    }

    private final TimerWheel wheel;
    private Client[] clients = new Client[8];
    private int clientCount;
    private final TimerWheel.ExpiryHandler dispatch = this::dispatch;

    StackTimers(final long nowNanos) {
        // ~1.05 ms ticks, up to 4096 spokes (one revolution ~4.3 s at full size, enough for ARP, IGMP and TCP's
        // RTOs); starts with 16 slots and 16 spokes and grows with the timers actually scheduled.
        this.wheel = new TimerWheel(nowNanos, 1L << 20, 4096, 16);
    }

    /**
     * Registers a client. Long-lived layers register once at start-up; a client with a shorter life calls
     * {@link #unregister} when it is done.
     *
     * @return its id (the lowest free one)
     * @throws IllegalStateException if {@link #MAX_CLIENTS} clients are registered
     */
    public int register(final Client client) {
        java.util.Objects.requireNonNull(client, "client");
        for (int id = 0; id < clientCount; id++) {
            if (clients[id] == null) {
                clients[id] = client;
                return id;
            }
        }
        if (clientCount == MAX_CLIENTS) {
            throw new IllegalStateException("too many timer clients (" + MAX_CLIENTS + "): unregister the ones "
                    + "that are done");
        }
        if (clientCount == clients.length) {
            clients = java.util.Arrays.copyOf(clients, clients.length * 2);
        }
        clients[clientCount] = client;
        return clientCount++;
    }

    /**
     * Gives a client id back: cancels every timer the client still has scheduled (so none can reach a later owner
     * of the id) and frees the id for {@link #register}. Unknown or already unregistered ids are ignored. O(timers
     * scheduled): for teardown, not for hot paths.
     *
     * @return the number of timers cancelled
     */
    public int unregister(final int clientId) {
        if (clientId < 0 || clientId >= clientCount || clients[clientId] == null) {
            return 0;
        }
        clients[clientId] = null;
        return wheel.cancelMatching(~MAX_VALUE, (long) clientId << 56);
    }

    /** Registered clients (diagnostics and tests). */
    public int clients() {
        int n = 0;
        for (int id = 0; id < clientCount; id++) {
            if (clients[id] != null) {
                n++;
            }
        }
        return n;
    }

    /** @return a timer id, never {@link TimerWheel#NULL_TIMER} */
    public long schedule(final int clientId, final long deadlineNanos, final long value) {
        if (value < 0 || value > MAX_VALUE || clientId < 0 || clientId >= clientCount || clients[clientId] == null) {
            throw new IllegalArgumentException("bad timer client/value: " + clientId + "/" + value);
        }
        return wheel.schedule(deadlineNanos, (long) clientId << 56 | value);
    }

    /** Cancels a timer; unknown, expired and {@link TimerWheel#NULL_TIMER} ids are ignored. */
    public boolean cancel(final long timerId) {
        return timerId != TimerWheel.NULL_TIMER && wheel.cancel(timerId);
    }

    public boolean isScheduled(final long timerId) {
        return timerId != TimerWheel.NULL_TIMER && wheel.isScheduled(timerId);
    }

    /** The deadline of a scheduled timer, or {@link TimerWheel#NO_DEADLINE}. */
    public long deadline(final long timerId) {
        return timerId == TimerWheel.NULL_TIMER ? TimerWheel.NO_DEADLINE : wheel.deadline(timerId);
    }

    /** The earliest deadline, or {@link TimerWheel#NO_DEADLINE}. */
    public long nextDeadline() {
        return wheel.nextDeadline();
    }

    public int size() {
        return wheel.size();
    }

    int poll(final long nowNanos, final int limit) {
        return wheel.poll(nowNanos, dispatch, limit);
    }

    void clear() {
        wheel.clear();
    }

    private boolean dispatch(final long timerId, final long cookie, final long nowNanos) {
        final Client c = clients[(int) (cookie >>> 56)];
        if (c != null) { // unregister cancels the client's timers, so this always holds
            c.onTimer(cookie & MAX_VALUE, nowNanos);
        }
        return true;
    }
}

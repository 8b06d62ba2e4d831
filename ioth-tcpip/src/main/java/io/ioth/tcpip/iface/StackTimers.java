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
 * <p>Not thread-safe: owner thread only. Clients may schedule and cancel from {@link Client#onTimer}.
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
        // ~1.05 ms ticks, 4096 spokes: one revolution is ~4.3 s, enough for ARP, IGMP and TCP's RTOs.
        this.wheel = new TimerWheel(nowNanos, 1L << 20, 4096, 64);
    }

    /** Registers a client (once, at start-up). @return its id */
    public int register(final Client client) {
        if (clientCount == MAX_CLIENTS) {
            throw new IllegalStateException("too many timer clients");
        }
        if (clientCount == clients.length) {
            clients = java.util.Arrays.copyOf(clients, clients.length * 2);
        }
        clients[clientCount] = client;
        return clientCount++;
    }

    /** @return a timer id, never {@link TimerWheel#NULL_TIMER} */
    public long schedule(final int clientId, final long deadlineNanos, final long value) {
        if (value < 0 || value > MAX_VALUE || clientId < 0 || clientId >= clientCount) {
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
        clients[(int) (cookie >>> 56)].onTimer(cookie & MAX_VALUE, nowNanos);
        return true;
    }
}

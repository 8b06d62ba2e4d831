package io.ioth.tcpip.socket;

/**
 * Base of every socket of a stack (UDP, ping, and TCP next): readiness without call-outs. Protocol code never calls
 * application code while the stack processes packets (style.md §2 "The stack never calls the pipeline"); instead it
 * {@link #signal signals} events, which accumulate in the socket and put it once on the stack's {@link ReadyList}.
 * After each poll the owner drains the list and delivers the events (the Netty transport turns them into its
 * IoEvents):
 *
 * <pre>{@code
 * stack.poll(now);
 * StackSocket s;
 * while ((s = stack.nextReady()) != null) {
 *     int ev = s.takeEvents();          // READABLE | WRITABLE | ERROR | CLOSED | protocol bits
 *     ((Handle) s.attachment()).handle(ev);
 * }
 * }</pre>
 *
 * <p>Events are hints that something changed: READABLE is raised on every arrival; the owner reads until the socket
 * says it is empty. Protocols may define more bits from {@link #PROTOCOL_EVENT}.
 *
 * <p>Not thread-safe: a socket belongs to its stack's owner thread.
 */
public abstract class StackSocket {
    /** Data (or an error) can be read. */
    public static final int READABLE = 1;
    /** Room to write appeared. */
    public static final int WRITABLE = 2;
    /** An error is pending (see the protocol's {@code takeError}). */
    public static final int ERROR = 4;
    /** The socket was closed by the stack (e.g. the stack shut down). */
    public static final int CLOSED = 8;
    /** The first bit a protocol may use for its own events (TCP: connected, acceptable, input shutdown...). */
    public static final int PROTOCOL_EVENT = 1 << 8;

    private final ReadyList readyList;
    private int events;
    private Object attachment;
    StackSocket nextReady;
    boolean queued;

    protected StackSocket(final ReadyList readyList) {
        this.readyList = readyList;
    }

    /** Records {@code ev} and queues the socket on the ready list unless it is already there. */
    protected final void signal(final int ev) {
        events |= ev;
        if (!queued) {
            readyList.add(this);
        }
    }

    /** Returns the events signalled since the last call and clears them. */
    public final int takeEvents() {
        final int e = events;
        events = 0;
        return e;
    }

    /** The events signalled and not yet taken. */
    public final int pendingEvents() {
        return events;
    }

    /** The owner's object for this socket (e.g. the Netty channel's IoHandle). */
    public final Object attachment() {
        return attachment;
    }

    public final void attach(final Object a) {
        attachment = a;
    }
}

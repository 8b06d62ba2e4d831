package io.ioth.tcpip.socket;

/**
 * The stack's list of sockets with events to deliver: intrusive (the link lives in the socket), FIFO, each socket at
 * most once. Nothing is allocated to queue or dequeue.
 *
 * <p>Not thread-safe: owner thread only.
 */
public final class ReadyList {
    private StackSocket head;
    private StackSocket tail;
    private int size;

    void add(final StackSocket s) {
        s.queued = true;
        s.nextReady = null;
        if (tail == null) {
            head = s;
        } else {
            tail.nextReady = s;
        }
        tail = s;
        size++;
    }

    /** Removes and returns the first ready socket, or null. */
    public StackSocket poll() {
        final StackSocket s = head;
        if (s == null) {
            return null;
        }
        head = s.nextReady;
        if (head == null) {
            tail = null;
        }
        s.nextReady = null;
        s.queued = false;
        size--;
        return s;
    }

    public boolean isEmpty() {
        return head == null;
    }

    public int size() {
        return size;
    }
}

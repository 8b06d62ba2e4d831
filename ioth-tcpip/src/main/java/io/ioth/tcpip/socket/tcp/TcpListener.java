package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.tcp.congestion.CongestionControl;

import java.util.Objects;

/**
 * A listening endpoint (RFC 9293 §3.10.1 passive OPEN) with a real backlog, as Linux's: a <b>SYN queue</b> of
 * half-open connections (SYN-RECEIVED, SYN-ACK retransmitted by their own timers) and an <b>accept queue</b> of
 * established connections waiting for {@link #accept()}. Both are bounded by the backlog; when the SYN queue is full
 * the stack answers with SYN cookies (RFC 4987 §3.6) and keeps no state; when the accept queue is full, SYNs and
 * handshake-completing ACKs are dropped (Linux ListenOverflows), so the peer's retransmission retries later.
 *
 * <p>Events: {@code READABLE} | {@link #ACCEPTABLE} when a connection enters the accept queue. Connections
 * accepted inherit the listener's options (buffer sizes, TCP_NODELAY, keepalive, congestion control).
 *
 * <p>Not thread-safe: owner thread.
 */
public final class TcpListener extends TcpEndpoint {
    /** Event: a connection is waiting in the accept queue. */
    public static final int ACCEPTABLE = PROTOCOL_EVENT << 2;

    int backlog;
    boolean listening;
    boolean closed;

    TcpSocket synHead;
    TcpSocket synTail;
    int synCount;
    TcpSocket acceptHead;
    TcpSocket acceptTail;
    int acceptCount;
    /** When this listener last answered with a SYN cookie (cookies are only checked after one was sent). */
    long lastCookieNanos = Long.MIN_VALUE / 2;

    // options inherited by children
    int sndBufSize;
    int rcvBufSize;
    boolean rcvBufLocked;
    /** SO_SNDBUF was set: the children's send buffers are not auto-tuned. */
    boolean sndBufLocked;
    boolean noDelay;
    boolean keepAlive;
    CongestionControl.Factory ccFactory;

    TcpListener(final TcpStack stack) {
        super(stack);
        sndBufSize = stack.config.sendBufferSize;
        rcvBufSize = stack.config.receiveBufferSize;
        noDelay = stack.config.noDelay;
        ccFactory = stack.config.congestionControl;
    }

    @Override
    boolean isListening() {
        return listening;
    }

    /**
     * LISTEN with a backlog (clamped to [1, maxBacklog]); binds an ephemeral port first if unbound.
     *
     * @return {@link NetError#OK}, {@link NetError#EADDRINUSE}, {@link NetError#EINVAL} (closed)
     */
    public int listen(final int backlog) {
        if (closed) {
            return NetError.EINVAL;
        }
        if (!bound) {
            final int r = bind(0L, 0L, 0);
            if (r != NetError.OK) {
                return r;
            }
        }
        if (!listening && stack.ports.listenConflict(this)) {
            return NetError.EADDRINUSE;
        }
        this.backlog = Math.max(1, Math.min(backlog, stack.config.maxBacklog));
        listening = true;
        return NetError.OK;
    }

    public boolean isListeningNow() {
        return listening && !closed;
    }

    public int backlog() {
        return backlog;
    }

    /** Half-open connections (SYN queue). */
    public int synQueueLength() {
        return synCount;
    }

    /** Established connections waiting to be accepted. */
    public int acceptQueueLength() {
        return acceptCount;
    }

    /** Takes the next established connection, or null. */
    public TcpSocket accept() {
        final TcpSocket s = acceptHead;
        if (s == null) {
            return null;
        }
        acceptHead = s.nextInQueue;
        if (acceptHead == null) {
            acceptTail = null;
        }
        s.nextInQueue = null;
        s.inAcceptQueue = false;
        s.listener = null;
        acceptCount--;
        return s;
    }

    /** Closes the listener: half-open connections are dropped, queued ones reset (Linux inet_csk_listen_stop). */
    public void close(final long nowNanos) {
        if (closed) {
            return;
        }
        closed = true;
        listening = false;
        while (synHead != null) {
            final TcpSocket s = synHead;
            s.appClosed = true;
            s.toClosed(0); // removes itself from the queue
        }
        while (acceptHead != null) {
            final TcpSocket s = accept();
            s.abort(nowNanos);
        }
        unbind();
    }

    // ------------------------------------------------------------------ options for children

    public void setNoDelay(final boolean on) {
        noDelay = on;
    }

    public void setKeepAlive(final boolean on) {
        keepAlive = on;
    }

    public void setSendBufferSize(final int bytes) {
        sndBufSize = Math.max(1, Math.min(bytes, stack.config.maxSendBufferSize));
        sndBufLocked = true; // the children do not auto-tune it (Linux SOCK_SNDBUF_LOCK, inherited)
    }

    /** SO_RCVBUF for the children; like on a socket, it turns their receive-buffer auto-tuning off (Linux
     * SOCK_RCVBUF_LOCK is inherited by sk_clone_lock). */
    public void setReceiveBufferSize(final int bytes) {
        rcvBufLocked = true;
        rcvBufSize = Math.max(1, Math.min(bytes, stack.config.maxReceiveBufferSize));
    }

    public void setCongestionControl(final CongestionControl.Factory f) {
        ccFactory = Objects.requireNonNull(f, "factory");
    }

    // ------------------------------------------------------------------ queues

    boolean synQueueFull() {
        return synCount >= Math.min(backlog, stack.config.maxSynBacklog);
    }

    boolean acceptQueueFull() {
        return acceptCount >= backlog;
    }

    void addSyn(final TcpSocket s) {
        s.listener = this;
        s.nextInQueue = null;
        if (synTail == null) {
            synHead = s;
        } else {
            synTail.nextInQueue = s;
        }
        synTail = s;
        synCount++;
    }

    /** A half-open connection completed its handshake: move it to the accept queue. */
    void promote(final TcpSocket s) {
        unlinkSyn(s);
        addAccept(s);
    }

    void addAccept(final TcpSocket s) {
        s.listener = this;
        s.inAcceptQueue = true;
        s.nextInQueue = null;
        if (acceptTail == null) {
            acceptHead = s;
        } else {
            acceptTail.nextInQueue = s;
        }
        acceptTail = s;
        acceptCount++;
        signal(READABLE | ACCEPTABLE);
    }

    /** A queued connection closed before it was accepted. Half-open ones leave; accepted-queue ones stay, so that
     * accept() returns them and the application reads their end (Linux keeps reset children in the queue). */
    void remove(final TcpSocket s) {
        if (!s.inAcceptQueue) {
            unlinkSyn(s);
            s.listener = null;
        }
    }

    private void unlinkSyn(final TcpSocket s) {
        TcpSocket prev = null;
        for (TcpSocket c = synHead; c != null; prev = c, c = c.nextInQueue) {
            if (c == s) {
                if (prev == null) {
                    synHead = c.nextInQueue;
                } else {
                    prev.nextInQueue = c.nextInQueue;
                }
                if (synTail == c) {
                    synTail = prev;
                }
                c.nextInQueue = null;
                synCount--;
                return;
            }
        }
    }

    void raise(final int ev) {
        signal(ev);
    }

    @Override
    public String toString() {
        return "TCP LISTEN " + localString() + " backlog " + backlog + " syn " + synCount + " accept " + acceptCount;
    }
}

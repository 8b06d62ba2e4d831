package io.ioth.vde.internal;

import io.ioth.vde.DropReason;
import io.ioth.vde.FrameHandler;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.Vnl;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.internal.PlatformDependent;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * A port on a real vde_switch ({@code vde://DIR[N]}), byte-compatible with libvdeplug
 * (vde-protocol.md §1). Two descriptors: the control stream, whose lifetime is the port's and whose
 * EOF means the switch died (§1.5), and a connected AF_UNIX datagram socket carrying one frame per
 * datagram (§1.4). Both are non-blocking; read/write/flush never block.
 *
 * <p>With {@link VdeOptions#autoReconnect()}, a plug whose switch died retries the handshake with
 * exponential back-off on the options' ticker; the handshake itself runs as a non-blocking state
 * machine driven by {@link #read} and the poller, so the owner's loop is never held up.
 */
public final class SwitchPlug extends AbstractPlug {
    private static final LibC C = LibC.INSTANCE;
    private static final int MSG_TRUNC = 0x20;
    private static final int ECONNRESET = 104, ENOTCONN = 107, EPIPE = 32;
    /** Frames up to this size are copied into a right-sized buffer so the 1518-byte receive buffer is reused. */
    private static final int COPY_BELOW = 256;

    private enum State { CONNECTED, WAITING, HANDSHAKING, DOWN, CLOSED }

    private final Vnl.Switch sw;
    private final String description;
    private final ByteBufAllocator alloc;
    private final ArrayDeque<ByteBuf> backlog = new ArrayDeque<>();
    private final NativeMemory probe = new NativeMemory(16);
    private volatile State state;
    private int ctlFd = -1, dataFd = -1;
    private String portPath;
    private ByteBuf rx;      // reused receive buffer (1518 bytes)
    private ByteBuf scratch; // for buffers without a memory address
    private boolean controlEvent;   // the poller saw the control fd fire (or a send failed like a dead peer)
    private SwitchHandshake attempt; // reconnect in progress
    private long deadline = Long.MAX_VALUE; // next retry, or the running attempt's timeout (ticker time)
    private long backoffNanos;
    private Throwable pendingDown;  // a disconnect to report from read()

    private SwitchPlug(Vnl.Switch sw, VdeOptions options, String description) {
        super(sw, options);
        this.sw = sw;
        this.description = description;
        this.alloc = options.allocator();
        this.backoffNanos = options.reconnectMin().toNanos();
    }

    /**
     * Joins the switch: handshake (§1.2) with {@link VdeOptions#connectTimeout()} for the answer.
     *
     * @throws IOException if there is no switch at {@code dir}, or it does not answer in time (a
     *         refused port gets no answer at all, §1.2)
     */
    public static SwitchPlug open(Vnl.Switch sw, VdeOptions options) throws IOException {
        SwitchPlug plug = new SwitchPlug(sw, options, describe(options.description()));
        try (SwitchHandshake h = new SwitchHandshake(sw, plug.description, options.receiveBufferSize())) {
            h.begin();
            long timeout = options.connectTimeout().toNanos();
            long end = System.nanoTime() + timeout; // real time: open() really waits
            try (NativeMemory pfd = new NativeMemory(8); NativeMemory ts = new NativeMemory(16)) {
                while (!h.poll()) {
                    long left = end - System.nanoTime();
                    if (left <= 0) {
                        throw new IOException("vde_switch at " + sw.dir() + " did not answer within "
                                + options.connectTimeout().toMillis() + " ms: port refused? (requested "
                                + (sw.port() == Vnl.Switch.ANY_PORT ? "any port" : "port " + sw.port()) + ")");
                    }
                    pfd.putInt(0, h.controlFd());
                    pfd.putShort(4, LibC.POLLIN);
                    pfd.putShort(6, (short) 0);
                    ts.putLong(0, left / 1_000_000_000L);
                    ts.putLong(8, left % 1_000_000_000L);
                    C.ppoll(pfd.address(), 1, ts.address(), 0);
                }
            }
            plug.attach(h);
        } catch (IOException | RuntimeException e) {
            plug.release();
            throw e;
        }
        return plug;
    }

    /** The description sent to the switch: the option, or libvdeplug's style "ioth-java: user=NAME pid=PID". */
    static String describe(String configured) {
        if (configured != null) return configured;
        return "ioth-java: user=" + System.getProperty("user.name") + " pid=" + ProcessHandle.current().pid();
    }

    private void attach(SwitchHandshake h) {
        int[] fds = h.takeFds();
        ctlFd = fds[0];
        dataFd = fds[1];
        portPath = h.portPath();
        state = State.CONNECTED;
    }

    /** The switch's datagram socket serving our port (e.g. {@code /tmp/sw/001.6}); null while down. */
    public String portPath() { return portPath; }

    @Override
    public int maxFrameSize() { return SWITCH_MAX_FRAME; } // §1.4: the switch truncates longer frames

    /**
     * vde_switch sends to our port with MSG_DONTWAIT and drops on EAGAIN (§6.6: no flow control). An AF_UNIX datagram
     * waiting in our socket is charged to the switch's SO_SNDBUF (net.core.wmem_default, 212992 bytes on Linux): at
     * about 2.3 KB of truesize per 1518-byte frame that is ~92 frames, shared by every port; 64 leaves room for the
     * switch's other traffic. Measured, Linux (tap) sending to a stack through one vde_switch (the benchmarks'
     * {@code linux-ioth}): 200-230 MiB/s and a handful of retransmissions with the window clamped to this, against
     * 107-121 MiB/s and ~60,000 retransmissions without (the tail of a burst lost every few round trips). The
     * stack's own sending is held to the same clamp, for the switch drops toward a slow vde_plug just the same.
     */
    @Override
    public int inboundQueueFrames() { return 64; }

    @Override
    public boolean isConnected() { return state == State.CONNECTED; }

    // ---------------------------------------------------------------- receive

    @Override
    public int read(FrameHandler handler, int maxFrames) {
        if (state == State.CLOSED) return 0;
        serviceControl();
        if (state != State.CONNECTED) return 0;
        int n = 0;
        while (n < maxFrames) {
            ByteBuf buf = rx;
            if (buf == null) buf = rx = alloc.directBuffer(SWITCH_MAX_FRAME, SWITCH_MAX_FRAME);
            long addr = buf.hasMemoryAddress() ? buf.memoryAddress() : scratch().memoryAddress();
            // MSG_TRUNC: the real length even if longer than our buffer, so oversize is counted, not cut
            long r = C.recv(dataFd, addr, SWITCH_MAX_FRAME, LibC.MSG_DONTWAIT | MSG_TRUNC);
            if (r < 0) {
                int e = LibC.errno();
                if (e != LibC.EAGAIN && e != LibC.EINTR) controlEvent = true; // peer gone? check the control stream
                break;
            }
            int len = (int) r;
            if (len < MIN_FRAME) { // §1.4: the switch drops these too
                stats.dropped(DropReason.RUNT);
                continue;
            }
            if (len > SWITCH_MAX_FRAME) {
                stats.dropped(DropReason.OVERSIZE);
                continue;
            }
            ByteBuf frame;
            if (len <= COPY_BELOW || !buf.hasMemoryAddress()) {
                frame = alloc.directBuffer(len, len);
                frame.writeBytes(buf.hasMemoryAddress() ? buf : scratch, 0, len);
            } else {
                frame = buf.writerIndex(len);
                rx = null;
            }
            stats.received(len);
            n++;
            handler.onFrame(frame);
            if (state != State.CONNECTED) break; // the handler closed us
        }
        if (controlEvent) serviceControl();
        return n;
    }

    private ByteBuf scratch() {
        if (scratch == null) scratch = alloc.directBuffer(SWITCH_MAX_FRAME, SWITCH_MAX_FRAME);
        if (!scratch.hasMemoryAddress()) {
            throw new IllegalStateException("the allocator gives direct buffers without a memory address");
        }
        return scratch;
    }

    // ---------------------------------------------------------------- send

    @Override
    public boolean write(ByteBuf frame) {
        if (!checkOutgoing(frame)) return false;
        if (!backlog.isEmpty()) return enqueue(frame);
        int r = send(frame);
        if (r > 0) {
            stats.sent(r);
            frame.release();
            return true;
        }
        if (r == 0) return enqueue(frame);
        frame.release();
        stats.dropped(DropReason.SEND_ERROR);
        return false;
    }

    /** @return bytes sent, 0 if the socket is full (EAGAIN/ENOBUFS), -1 on another error */
    private int send(ByteBuf frame) {
        int len = frame.readableBytes();
        long addr;
        if (frame.hasMemoryAddress()) {
            addr = frame.memoryAddress() + frame.readerIndex();
        } else {
            ByteBuf s = scratch();
            frame.getBytes(frame.readerIndex(), s, 0, len);
            addr = s.memoryAddress();
        }
        long r = C.send(dataFd, addr, len, LibC.MSG_DONTWAIT | LibC.MSG_NOSIGNAL);
        if (r >= 0) return (int) r == len ? len : -1;
        int e = LibC.errno();
        if (e == LibC.EAGAIN || e == LibC.ENOBUFS || e == LibC.EINTR) return 0;
        if (e == LibC.ECONNREFUSED || e == ECONNRESET || e == ENOTCONN || e == EPIPE) {
            controlEvent = true; // §1.5: the switch's port socket is gone; read() confirms on the control stream
            signal();
        }
        return -1;
    }

    private boolean enqueue(ByteBuf frame) {
        if (backlog.size() >= options.queueLimit()) {
            frame.release();
            stats.dropped(DropReason.QUEUE_FULL);
            return false;
        }
        backlog.addLast(frame);
        return true;
    }

    @Override
    public void flush() {
        if (state != State.CONNECTED) return;
        ByteBuf f;
        while ((f = backlog.peekFirst()) != null) {
            int r = send(f);
            if (r == 0) return;
            backlog.pollFirst();
            f.release();
            if (r > 0) {
                stats.sent(r);
            } else {
                stats.dropped(DropReason.SEND_ERROR);
            }
        }
    }

    /** Frames waiting for the socket to drain. */
    public int backlog() { return backlog.size(); }

    // ---------------------------------------------------------------- control stream and reconnection

    private void serviceControl() {
        State s = state;
        if (s == State.CONNECTED && controlEvent) {
            controlEvent = false;
            if (controlHungUp()) down(new IOException("vde_switch at " + sw.dir() + " hung up (control stream EOF)"));
        } else if (s == State.WAITING || s == State.HANDSHAKING) {
            progressReconnect();
        }
        Throwable cause = pendingDown;
        if (cause != null) {
            pendingDown = null;
            fireDisconnected(cause);
        }
    }

    /** §1.5/§6.8: the switch never writes after the answer; readable means EOF (or an error). */
    private boolean controlHungUp() {
        while (true) {
            long n = C.recv(ctlFd, probe.address(), probe.size(), LibC.MSG_DONTWAIT);
            if (n == 0) return true;
            if (n < 0) {
                int e = LibC.errno();
                if (e == LibC.EINTR) continue;
                return e != LibC.EAGAIN;
            }
            // unexpected bytes: ignore them and keep checking
        }
    }

    private void down(Throwable cause) {
        closeFds();
        portPath = null;
        for (ByteBuf f; (f = backlog.pollFirst()) != null; ) {
            f.release();
            stats.dropped(DropReason.NOT_CONNECTED);
        }
        if (options.autoReconnect()) {
            state = State.WAITING;
            backoffNanos = options.reconnectMin().toNanos();
            deadline = options.ticker().nanoTime() + backoffNanos;
        } else {
            state = State.DOWN;
        }
        pendingDown = cause;
    }

    private void progressReconnect() {
        long now = options.ticker().nanoTime();
        try {
            if (state == State.WAITING) {
                if (now - deadline < 0) return;
                attempt = new SwitchHandshake(sw, description, options.receiveBufferSize());
                attempt.begin();
                state = State.HANDSHAKING;
                deadline = now + options.connectTimeout().toNanos();
                controlEvent = false;
            }
            if (attempt.poll()) {
                attach(attempt);
                attempt.close();
                attempt = null;
                deadline = Long.MAX_VALUE;
                backoffNanos = options.reconnectMin().toNanos();
                controlEvent = false;
                fireReconnected();
                return;
            }
            if (now - deadline >= 0) throw new IOException("no answer within " + options.connectTimeout());
        } catch (IOException e) {
            retryLater(now);
        }
    }

    private void retryLater(long now) {
        if (attempt != null) {
            attempt.close();
            attempt = null;
        }
        backoffNanos = Math.min(backoffNanos * 2, options.reconnectMax().toNanos());
        deadline = now + backoffNanos;
        state = State.WAITING;
    }

    // ---------------------------------------------------------------- Pollable

    @Override
    public void pollFds(PollSet set) {
        State s = state;
        if (s == State.CONNECTED) {
            set.add(this, dataFd, backlog.isEmpty() ? LibC.POLLIN : (short) (LibC.POLLIN | LibC.POLLOUT));
            set.add(this, ctlFd, LibC.POLLIN);
        } else if (s == State.HANDSHAKING && attempt != null) {
            set.add(this, attempt.controlFd(), LibC.POLLIN);
        }
    }

    @Override
    public void pollEvents(int fd, int revents) {
        if (state == State.CONNECTED && fd == dataFd) {
            if ((revents & LibC.POLLOUT) != 0) flush();
            if ((revents & (LibC.POLLERR | LibC.POLLHUP)) != 0) controlEvent = true;
        } else {
            controlEvent = true; // control stream readable/hung up, or the reconnect answer arrived
        }
    }

    @Override
    public boolean readyNow() {
        return controlEvent || pendingDown != null;
    }

    @Override
    public long nextDeadlineNanos() {
        State s = state;
        return s == State.WAITING || s == State.HANDSHAKING ? deadline : Long.MAX_VALUE;
    }

    // ---------------------------------------------------------------- close

    private void closeFds() {
        // closing the control stream frees the port (§1.5)
        if (ctlFd >= 0) C.close(ctlFd);
        if (dataFd >= 0) C.close(dataFd);
        ctlFd = dataFd = -1;
    }

    private void release() {
        closeFds();
        if (attempt != null) {
            attempt.close();
            attempt = null;
        }
        for (ByteBuf f; (f = backlog.pollFirst()) != null; ) {
            f.release();
            stats.dropped(DropReason.NOT_CONNECTED);
        }
        if (rx != null) rx.release();
        if (scratch != null) scratch.release();
        rx = scratch = null;
        probe.close();
        state = State.CLOSED;
        open = false;
    }

    @Override
    public void close() {
        if (state == State.CLOSED) return;
        release();
    }

    @Override
    public String toString() {
        return "SwitchPlug(" + vnl + (portPath != null ? " via " + portPath : "") + ", " + state + ")";
    }
}

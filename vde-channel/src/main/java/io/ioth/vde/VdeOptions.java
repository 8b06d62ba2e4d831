package io.ioth.vde;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.Ticker;

import java.time.Duration;
import java.util.Objects;

/**
 * How to open a plug. Immutable; each {@code withX} returns a copy.
 *
 * <pre>{@code
 * VdeOptions o = VdeOptions.defaults().withDescription("web-1").withAutoReconnect(true);
 * }</pre>
 */
public final class VdeOptions {
    private static final VdeOptions DEFAULTS = new VdeOptions(
            PooledByteBufAllocator.DEFAULT, Ticker.systemTicker(), null, Duration.ofSeconds(2),
            false, Duration.ofMillis(100), Duration.ofSeconds(5), 0, 1024, PlugListener.NOOP);

    private final ByteBufAllocator allocator;
    private final Ticker ticker;
    private final String description;
    private final Duration connectTimeout;
    private final boolean autoReconnect;
    private final Duration reconnectMin;
    private final Duration reconnectMax;
    private final int receiveBufferSize;
    private final int queueLimit;
    private final PlugListener listener;

    private VdeOptions(ByteBufAllocator allocator, Ticker ticker, String description, Duration connectTimeout,
                       boolean autoReconnect, Duration reconnectMin, Duration reconnectMax,
                       int receiveBufferSize, int queueLimit, PlugListener listener) {
        this.allocator = allocator;
        this.ticker = ticker;
        this.description = description;
        this.connectTimeout = connectTimeout;
        this.autoReconnect = autoReconnect;
        this.reconnectMin = reconnectMin;
        this.reconnectMax = reconnectMax;
        this.receiveBufferSize = receiveBufferSize;
        this.queueLimit = queueLimit;
        this.listener = listener;
    }

    public static VdeOptions defaults() { return DEFAULTS; }

    /** Where received frames are allocated (direct buffers are asked for). Default: pooled. */
    public ByteBufAllocator allocator() { return allocator; }

    /** The clock for deadlines (reconnect back-off, delayed frames). Tests pass a mock ticker. */
    public Ticker ticker() { return ticker; }

    /**
     * The port description sent to vde_switch; {@code null} means
     * {@code "ioth-java: user=NAME pid=PID"}, as libvdeplug describes its plugs.
     */
    public String description() { return description; }

    /** How long to wait for vde_switch to answer (it stays silent when it refuses a port). */
    public Duration connectTimeout() { return connectTimeout; }

    /** Whether a plug whose switch died keeps trying to rejoin it. */
    public boolean autoReconnect() { return autoReconnect; }

    public Duration reconnectMin() { return reconnectMin; }

    public Duration reconnectMax() { return reconnectMax; }

    /**
     * SO_RCVBUF for datagram sockets; 0 keeps the kernel default. Effective for UDP (udp://, vxvde://). For a
     * vde:// port it changes nothing: an AF_UNIX datagram is charged to the <em>sender's</em> SO_SNDBUF until the
     * receiver reads it, and the receive-queue length limit (net.unix.max_dgram_qlen) does not apply between two
     * sockets connected to each other, as a plug and its switch port are (Linux af_unix.c unix_dgram_sendmsg;
     * measured on 6.18: 93 frames of 1514 bytes queue with the default 212992-byte SO_SNDBUF of the sender, the same
     * with a 4 MiB SO_RCVBUF on the receiver, 3641 with a 4 MiB SO_SNDBUF on the sender). So what vde_switch can
     * queue towards a plug is fixed by the switch (about 93 full frames; it drops the rest, non-blocking sends):
     * a plug's owner must drain its port within about a millisecond at 1 Gbit/s.
     */
    public int receiveBufferSize() { return receiveBufferSize; }

    /** The bound of every frame queue a plug keeps (write backlog, in-JVM input). */
    public int queueLimit() { return queueLimit; }

    public PlugListener listener() { return listener; }

    public VdeOptions withAllocator(ByteBufAllocator v) {
        return new VdeOptions(Objects.requireNonNull(v), ticker, description, connectTimeout, autoReconnect,
                reconnectMin, reconnectMax, receiveBufferSize, queueLimit, listener);
    }

    public VdeOptions withTicker(Ticker v) {
        return new VdeOptions(allocator, Objects.requireNonNull(v), description, connectTimeout, autoReconnect,
                reconnectMin, reconnectMax, receiveBufferSize, queueLimit, listener);
    }

    public VdeOptions withDescription(String v) {
        return new VdeOptions(allocator, ticker, v, connectTimeout, autoReconnect,
                reconnectMin, reconnectMax, receiveBufferSize, queueLimit, listener);
    }

    public VdeOptions withConnectTimeout(Duration v) {
        return new VdeOptions(allocator, ticker, description, Objects.requireNonNull(v), autoReconnect,
                reconnectMin, reconnectMax, receiveBufferSize, queueLimit, listener);
    }

    public VdeOptions withAutoReconnect(boolean v) {
        return new VdeOptions(allocator, ticker, description, connectTimeout, v,
                reconnectMin, reconnectMax, receiveBufferSize, queueLimit, listener);
    }

    public VdeOptions withReconnectBackoff(Duration min, Duration max) {
        return new VdeOptions(allocator, ticker, description, connectTimeout, autoReconnect,
                Objects.requireNonNull(min), Objects.requireNonNull(max), receiveBufferSize, queueLimit, listener);
    }

    public VdeOptions withReceiveBufferSize(int v) {
        return new VdeOptions(allocator, ticker, description, connectTimeout, autoReconnect,
                reconnectMin, reconnectMax, v, queueLimit, listener);
    }

    public VdeOptions withQueueLimit(int v) {
        if (v < 1) throw new IllegalArgumentException("queueLimit must be >= 1: " + v);
        return new VdeOptions(allocator, ticker, description, connectTimeout, autoReconnect,
                reconnectMin, reconnectMax, receiveBufferSize, v, listener);
    }

    public VdeOptions withListener(PlugListener v) {
        return new VdeOptions(allocator, ticker, description, connectTimeout, autoReconnect,
                reconnectMin, reconnectMax, receiveBufferSize, queueLimit, Objects.requireNonNull(v));
    }
}

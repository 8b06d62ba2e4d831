package io.ioth.transport;

import io.ioth.tcpip.socket.tcp.TcpSocket;
import io.ioth.tcpip.socket.tcp.congestion.CongestionControl;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannelConfig;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE;
import static io.netty.channel.ChannelOption.IP_TOS;
import static io.netty.channel.ChannelOption.SO_KEEPALIVE;
import static io.netty.channel.ChannelOption.SO_LINGER;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.SO_SNDBUF;
import static io.netty.channel.ChannelOption.TCP_NODELAY;

/**
 * The options of an {@link IothSocketChannel}, mapped onto its stack's {@link TcpSocket}. Values set before the
 * channel has a socket (a {@code Bootstrap}'s {@code option(...)}) are kept and applied when the socket is opened on
 * the loop; an accepted child starts from its socket's values (inherited from the listener, Linux
 * {@code sk_clone_lock}) and a {@code ServerBootstrap}'s {@code childOption(...)} is applied on top; later changes
 * are applied on the channel's loop.
 *
 * <table>
 *   <tr><th>option</th><th>effect on the stack socket</th></tr>
 *   <tr><td>SO_SNDBUF</td><td>{@code setSendBufferSize}: the bytes the stack queues (unacknowledged + unsent). The
 *       channel moves its outbound buffer into this space; what does not fit stays in Netty's
 *       {@code ChannelOutboundBuffer}, which drives the writability water marks</td></tr>
 *   <tr><td>SO_RCVBUF</td><td>{@code setReceiveBufferSize}: the receive window's limit (turns auto-tuning off, as
 *       Linux's SOCK_RCVBUF_LOCK)</td></tr>
 *   <tr><td>TCP_NODELAY</td><td>Nagle off (default <b>true</b>, as Netty's NIO and epoll channels)</td></tr>
 *   <tr><td>SO_KEEPALIVE</td><td>RFC 1122 §4.2.3.6 keep-alives, with {@link IothChannelOption#TCP_KEEPIDLE},
 *       {@link IothChannelOption#TCP_KEEPINTVL}, {@link IothChannelOption#TCP_KEEPCNT} (default: the stack's)</td></tr>
 *   <tr><td>SO_LINGER</td><td>0: {@code close()} aborts (RST, RFC 9293 §3.10.5), as Linux; &gt; 0 is kept and
 *       reported only: a close never blocks, the stack delivers the queued data and owns FIN-WAIT/TIME-WAIT</td></tr>
 *   <tr><td>SO_REUSEADDR</td><td>{@code setReuseAddress} (before bind)</td></tr>
 *   <tr><td>IP_TOS</td><td>the TOS / traffic class of every segment sent (the two ECN bits are TCP's, masked as
 *       Linux does for a stream socket)</td></tr>
 *   <tr><td>ALLOW_HALF_CLOSURE</td><td>the peer's FIN fires {@code ChannelInputShutdownEvent} instead of closing</td></tr>
 *   <tr><td>{@link IothChannelOption#TCP_CONGESTION}</td><td>"newreno"/"reno" or "cubic", before connect</td></tr>
 *   <tr><td>{@link IothChannelOption#TCP_INFO}</td><td>read-only: a fresh {@code TcpInfo} snapshot</td></tr>
 * </table>
 * Options the transport does not know (e.g. {@code TCP_FASTOPEN_CONNECT}) are ignored: {@code setOption} returns
 * false and Netty logs a warning, as every transport does.
 *
 * <p>Thread-safe: setters may be called from any thread (they hop to the channel's loop).
 */
public final class IothSocketChannelConfig extends DefaultChannelConfig implements SocketChannelConfig {
    private final IothSocketChannel ch;
    private volatile int sendBufferSize = -1;
    private volatile int receiveBufferSize = -1;
    private volatile boolean tcpNoDelay = true;
    private volatile boolean keepAlive;
    private volatile int soLinger = -1;
    private volatile boolean reuseAddress;
    private volatile int trafficClass;
    private volatile boolean allowHalfClosure;
    private volatile String congestionControl;
    private volatile int keepIdleSeconds = -1;
    private volatile int keepIntervalSeconds = -1;
    private volatile int keepCount = -1;

    IothSocketChannelConfig(final IothSocketChannel channel) {
        super(channel);
        this.ch = channel;
    }

    /** Applies every option set so far to a newly opened socket. Loop thread. */
    void applyTo(final TcpSocket s) {
        if (sendBufferSize > 0) {
            s.setSendBufferSize(sendBufferSize);
        }
        if (receiveBufferSize > 0) {
            s.setReceiveBufferSize(receiveBufferSize);
        }
        s.setNoDelay(tcpNoDelay);
        s.setTrafficClass(trafficClass);
        s.setKeepAlive(keepAlive);
        s.setReuseAddress(reuseAddress);
        if (congestionControl != null) {
            s.setCongestionControl(CongestionControl.forName(congestionControl));
        }
        applyKeepAliveParameters(s);
        readBack(s);
    }

    /** An accepted child: start from what the socket inherited from the listener. Loop thread. */
    void initFrom(final TcpSocket s) {
        tcpNoDelay = s.noDelay();
        trafficClass = s.trafficClass();
        keepAlive = s.keepAlive();
        readBack(s);
    }

    private void readBack(final TcpSocket s) {
        sendBufferSize = s.sendBufferSize();
        receiveBufferSize = s.receiveBufferSize();
    }

    private void applyKeepAliveParameters(final TcpSocket s) {
        if (keepIdleSeconds > 0 || keepIntervalSeconds > 0 || keepCount > 0) {
            final TcpConfigDefaults d = TcpConfigDefaults.of(s);
            s.setKeepAliveParameters(
                    keepIdleSeconds > 0 ? TimeUnit.SECONDS.toNanos(keepIdleSeconds) : d.idleNanos,
                    keepIntervalSeconds > 0 ? TimeUnit.SECONDS.toNanos(keepIntervalSeconds) : d.intervalNanos,
                    keepCount > 0 ? keepCount : d.probes);
        }
    }

    /** The stack's keepalive defaults (TcpConfig), for the parameters left unset. */
    private record TcpConfigDefaults(long idleNanos, long intervalNanos, int probes) {
        static TcpConfigDefaults of(final TcpSocket s) {
            final var c = s.stack().config();
            return new TcpConfigDefaults(c.keepAliveIdleNanos(), c.keepAliveIntervalNanos(), c.keepAliveProbes());
        }
    }

    private void apply(final Consumer<TcpSocket> change) {
        ch.applyToSocket(change);
    }

    // ---------------------------------------------------------------- generic option access

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_RCVBUF, SO_SNDBUF, TCP_NODELAY, SO_KEEPALIVE, SO_REUSEADDR,
                SO_LINGER, IP_TOS, ALLOW_HALF_CLOSURE, IothChannelOption.TCP_CONGESTION,
                IothChannelOption.TCP_KEEPIDLE, IothChannelOption.TCP_KEEPINTVL, IothChannelOption.TCP_KEEPCNT);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(final ChannelOption<T> option) {
        if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        if (option == SO_SNDBUF) {
            return (T) Integer.valueOf(getSendBufferSize());
        }
        if (option == TCP_NODELAY) {
            return (T) Boolean.valueOf(isTcpNoDelay());
        }
        if (option == SO_KEEPALIVE) {
            return (T) Boolean.valueOf(isKeepAlive());
        }
        if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        }
        if (option == SO_LINGER) {
            return (T) Integer.valueOf(getSoLinger());
        }
        if (option == IP_TOS) {
            return (T) Integer.valueOf(getTrafficClass());
        }
        if (option == ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(isAllowHalfClosure());
        }
        if (option == IothChannelOption.TCP_CONGESTION) {
            return (T) getCongestionControl();
        }
        if (option == IothChannelOption.TCP_KEEPIDLE) {
            return (T) Integer.valueOf(keepIdleSeconds);
        }
        if (option == IothChannelOption.TCP_KEEPINTVL) {
            return (T) Integer.valueOf(keepIntervalSeconds);
        }
        if (option == IothChannelOption.TCP_KEEPCNT) {
            return (T) Integer.valueOf(keepCount);
        }
        if (option == IothChannelOption.TCP_INFO) {
            return (T) ch.tcpInfo();
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(final ChannelOption<T> option, final T value) {
        validate(option, value);
        if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == TCP_NODELAY) {
            setTcpNoDelay((Boolean) value);
        } else if (option == SO_KEEPALIVE) {
            setKeepAlive((Boolean) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == SO_LINGER) {
            setSoLinger((Integer) value);
        } else if (option == IP_TOS) {
            setTrafficClass((Integer) value);
        } else if (option == ALLOW_HALF_CLOSURE) {
            setAllowHalfClosure((Boolean) value);
        } else if (option == IothChannelOption.TCP_CONGESTION) {
            setCongestionControl((String) value);
        } else if (option == IothChannelOption.TCP_KEEPIDLE) {
            setKeepAliveParameters((Integer) value, keepIntervalSeconds, keepCount);
        } else if (option == IothChannelOption.TCP_KEEPINTVL) {
            setKeepAliveParameters(keepIdleSeconds, (Integer) value, keepCount);
        } else if (option == IothChannelOption.TCP_KEEPCNT) {
            setKeepAliveParameters(keepIdleSeconds, keepIntervalSeconds, (Integer) value);
        } else if (option == IothChannelOption.TCP_INFO) {
            throw new UnsupportedOperationException("TCP_INFO is read-only");
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    // ---------------------------------------------------------------- typed accessors

    @Override
    public int getReceiveBufferSize() {
        final int v = receiveBufferSize;
        return v > 0 ? v : ch.defaultReceiveBufferSize();
    }

    @Override
    public IothSocketChannelConfig setReceiveBufferSize(final int receiveBufferSize) {
        if (receiveBufferSize <= 0) {
            throw new IllegalArgumentException("receiveBufferSize: " + receiveBufferSize + " (expected: > 0)");
        }
        this.receiveBufferSize = receiveBufferSize;
        apply(s -> {
            s.setReceiveBufferSize(receiveBufferSize);
            this.receiveBufferSize = s.receiveBufferSize(); // clamped to the stack's maximum
        });
        return this;
    }

    @Override
    public int getSendBufferSize() {
        final int v = sendBufferSize;
        return v > 0 ? v : ch.defaultSendBufferSize();
    }

    @Override
    public IothSocketChannelConfig setSendBufferSize(final int sendBufferSize) {
        if (sendBufferSize <= 0) {
            throw new IllegalArgumentException("sendBufferSize: " + sendBufferSize + " (expected: > 0)");
        }
        this.sendBufferSize = sendBufferSize;
        apply(s -> {
            s.setSendBufferSize(sendBufferSize);
            this.sendBufferSize = s.sendBufferSize();
        });
        return this;
    }

    @Override
    public boolean isTcpNoDelay() {
        return tcpNoDelay;
    }

    @Override
    public IothSocketChannelConfig setTcpNoDelay(final boolean tcpNoDelay) {
        this.tcpNoDelay = tcpNoDelay;
        apply(s -> s.setNoDelay(tcpNoDelay));
        return this;
    }

    @Override
    public boolean isKeepAlive() {
        return keepAlive;
    }

    @Override
    public IothSocketChannelConfig setKeepAlive(final boolean keepAlive) {
        this.keepAlive = keepAlive;
        apply(s -> s.setKeepAlive(keepAlive));
        return this;
    }

    /** TCP_KEEPIDLE / TCP_KEEPINTVL (seconds) and TCP_KEEPCNT; -1 = the stack's default. */
    public IothSocketChannelConfig setKeepAliveParameters(final int idleSeconds, final int intervalSeconds,
                                                          final int count) {
        if (idleSeconds == 0 || intervalSeconds == 0 || count == 0 || idleSeconds < -1 || intervalSeconds < -1
                || count < -1) {
            throw new IllegalArgumentException("keepalive parameters must be > 0 (or -1 for the default): idle "
                    + idleSeconds + ", interval " + intervalSeconds + ", count " + count);
        }
        this.keepIdleSeconds = idleSeconds;
        this.keepIntervalSeconds = intervalSeconds;
        this.keepCount = count;
        apply(this::applyKeepAliveParameters);
        return this;
    }

    @Override
    public int getSoLinger() {
        return soLinger;
    }

    /** 0: {@code close()} sends RST (abort); -1 (default) or &gt; 0: graceful close owned by the stack. */
    @Override
    public IothSocketChannelConfig setSoLinger(final int soLinger) {
        this.soLinger = soLinger < 0 ? -1 : soLinger;
        return this;
    }

    @Override
    public int getTrafficClass() {
        return trafficClass;
    }

    @Override
    public IothSocketChannelConfig setTrafficClass(final int trafficClass) {
        if (trafficClass < 0 || trafficClass > 255) {
            throw new IllegalArgumentException("trafficClass: " + trafficClass + " (expected: 0-255)");
        }
        this.trafficClass = trafficClass;
        apply(s -> s.setTrafficClass(trafficClass));
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return reuseAddress;
    }

    @Override
    public IothSocketChannelConfig setReuseAddress(final boolean reuseAddress) {
        this.reuseAddress = reuseAddress;
        apply(s -> s.setReuseAddress(reuseAddress));
        return this;
    }

    @Override
    public IothSocketChannelConfig setPerformancePreferences(final int connectionTime, final int latency,
                                                             final int bandwidth) {
        return this; // as the JDK: a hint nobody implements
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public IothSocketChannelConfig setAllowHalfClosure(final boolean allowHalfClosure) {
        this.allowHalfClosure = allowHalfClosure;
        return this;
    }

    /** {@link IothChannelOption#TCP_CONGESTION}: the socket's algorithm ("newreno", "cubic"). */
    public String getCongestionControl() {
        final String c = congestionControl;
        return c != null ? c : ch.defaultCongestionControl();
    }

    /** Before connect: "newreno" (or "reno") or "cubic" (Linux {@code tcp_congestion_control} names). */
    public IothSocketChannelConfig setCongestionControl(final String name) {
        final CongestionControl.Factory f = CongestionControl.forName(name); // validates now, on the caller's thread
        this.congestionControl = f.name();
        apply(s -> s.setCongestionControl(f));
        return this;
    }

    // ---------------------------------------------------------------- covariant returns

    @Override
    protected void autoReadCleared() {
        ch.clearReadPending();
    }

    @Override
    public IothSocketChannelConfig setConnectTimeoutMillis(final int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public IothSocketChannelConfig setMaxMessagesPerRead(final int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public IothSocketChannelConfig setWriteSpinCount(final int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public IothSocketChannelConfig setAllocator(final ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public IothSocketChannelConfig setRecvByteBufAllocator(final RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public IothSocketChannelConfig setAutoRead(final boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public IothSocketChannelConfig setAutoClose(final boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    public IothSocketChannelConfig setWriteBufferHighWaterMark(final int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return this;
    }

    @Override
    public IothSocketChannelConfig setWriteBufferLowWaterMark(final int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return this;
    }

    @Override
    public IothSocketChannelConfig setWriteBufferWaterMark(final WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    @Override
    public IothSocketChannelConfig setMessageSizeEstimator(final MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }
}

package io.ioth.transport;

import io.ioth.tcpip.socket.tcp.TcpListener;
import io.ioth.tcpip.socket.tcp.congestion.CongestionControl;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ServerSocketChannelConfig;
import io.netty.util.NetUtil;

import java.util.Map;
import java.util.function.Consumer;

import static io.netty.channel.ChannelOption.SO_BACKLOG;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.SO_SNDBUF;
import static io.netty.channel.ChannelOption.TCP_NODELAY;

/**
 * The options of an {@link IothServerSocketChannel}, mapped onto its stack's {@link TcpListener}:
 * {@code SO_BACKLOG} (the accept and SYN queues' bound, clamped by the stack's {@code maxBacklog}; default
 * {@code NetUtil.SOMAXCONN}), {@code SO_REUSEADDR} (before bind), and the options accepted connections inherit from
 * the listener (Linux {@code sk_clone_lock}): {@code SO_RCVBUF}, {@code SO_SNDBUF}, {@code TCP_NODELAY} and
 * {@link IothChannelOption#TCP_CONGESTION}. A {@code ServerBootstrap}'s {@code childOption(...)} is applied to each
 * accepted channel on top of that. Unknown options are ignored ({@code setOption} returns false).
 *
 * <p>Thread-safe: setters may be called from any thread (they hop to the channel's loop).
 */
public final class IothServerSocketChannelConfig extends DefaultChannelConfig implements ServerSocketChannelConfig {
    private final IothServerSocketChannel ch;
    private volatile int backlog = NetUtil.SOMAXCONN;
    private volatile boolean reuseAddress;
    private volatile int receiveBufferSize = -1;
    private volatile int sendBufferSize = -1;
    private volatile boolean tcpNoDelay = true;
    private volatile String congestionControl;

    IothServerSocketChannelConfig(final IothServerSocketChannel channel) {
        super(channel, new ServerChannelRecvByteBufAllocator());
        this.ch = channel;
    }

    /** Applies every option to a newly opened listener. Loop thread. */
    void applyTo(final TcpListener l) {
        l.setReuseAddress(reuseAddress);
        if (receiveBufferSize > 0) {
            l.setReceiveBufferSize(receiveBufferSize);
        }
        if (sendBufferSize > 0) {
            l.setSendBufferSize(sendBufferSize);
        }
        l.setNoDelay(tcpNoDelay);
        if (congestionControl != null) {
            l.setCongestionControl(CongestionControl.forName(congestionControl));
        }
    }

    private void apply(final Consumer<TcpListener> change) {
        ch.applyToListener(change);
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_RCVBUF, SO_SNDBUF, SO_REUSEADDR, SO_BACKLOG, TCP_NODELAY,
                IothChannelOption.TCP_CONGESTION);
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
        if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        }
        if (option == SO_BACKLOG) {
            return (T) Integer.valueOf(getBacklog());
        }
        if (option == TCP_NODELAY) {
            return (T) Boolean.valueOf(tcpNoDelay);
        }
        if (option == IothChannelOption.TCP_CONGESTION) {
            final String c = congestionControl;
            return (T) (c != null ? c : "newreno");
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
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == SO_BACKLOG) {
            setBacklog((Integer) value);
        } else if (option == TCP_NODELAY) {
            setTcpNoDelay((Boolean) value);
        } else if (option == IothChannelOption.TCP_CONGESTION) {
            setCongestionControl((String) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    @Override
    public int getBacklog() {
        return backlog;
    }

    /** Takes effect at bind (listen); clamped to the stack's {@code TcpConfig.maxBacklog}. */
    @Override
    public IothServerSocketChannelConfig setBacklog(final int backlog) {
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog: " + backlog + " (expected: >= 0)");
        }
        this.backlog = backlog;
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return reuseAddress;
    }

    @Override
    public IothServerSocketChannelConfig setReuseAddress(final boolean reuseAddress) {
        this.reuseAddress = reuseAddress;
        apply(l -> l.setReuseAddress(reuseAddress));
        return this;
    }

    @Override
    public int getReceiveBufferSize() {
        final int v = receiveBufferSize;
        return v > 0 ? v : 256 * 1024;
    }

    /** SO_RCVBUF of the accepted connections (their receive window's limit; auto-tuning off). */
    @Override
    public IothServerSocketChannelConfig setReceiveBufferSize(final int receiveBufferSize) {
        if (receiveBufferSize <= 0) {
            throw new IllegalArgumentException("receiveBufferSize: " + receiveBufferSize + " (expected: > 0)");
        }
        this.receiveBufferSize = receiveBufferSize;
        apply(l -> l.setReceiveBufferSize(receiveBufferSize));
        return this;
    }

    public int getSendBufferSize() {
        final int v = sendBufferSize;
        return v > 0 ? v : 256 * 1024;
    }

    /** SO_SNDBUF of the accepted connections. */
    public IothServerSocketChannelConfig setSendBufferSize(final int sendBufferSize) {
        if (sendBufferSize <= 0) {
            throw new IllegalArgumentException("sendBufferSize: " + sendBufferSize + " (expected: > 0)");
        }
        this.sendBufferSize = sendBufferSize;
        apply(l -> l.setSendBufferSize(sendBufferSize));
        return this;
    }

    /** TCP_NODELAY of the accepted connections (default true, as Netty's channels). */
    public IothServerSocketChannelConfig setTcpNoDelay(final boolean tcpNoDelay) {
        this.tcpNoDelay = tcpNoDelay;
        apply(l -> l.setNoDelay(tcpNoDelay));
        return this;
    }

    /** {@link IothChannelOption#TCP_CONGESTION} of the accepted connections. */
    public IothServerSocketChannelConfig setCongestionControl(final String name) {
        final CongestionControl.Factory f = CongestionControl.forName(name);
        this.congestionControl = f.name();
        apply(l -> l.setCongestionControl(f));
        return this;
    }

    @Override
    public IothServerSocketChannelConfig setPerformancePreferences(final int connectionTime, final int latency,
                                                                   final int bandwidth) {
        return this;
    }

    // ---------------------------------------------------------------- covariant returns

    @Override
    protected void autoReadCleared() {
        ch.clearReadPending();
    }

    @Override
    public IothServerSocketChannelConfig setConnectTimeoutMillis(final int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public IothServerSocketChannelConfig setMaxMessagesPerRead(final int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public IothServerSocketChannelConfig setWriteSpinCount(final int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public IothServerSocketChannelConfig setAllocator(final ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public IothServerSocketChannelConfig setRecvByteBufAllocator(final RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public IothServerSocketChannelConfig setAutoRead(final boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public IothServerSocketChannelConfig setAutoClose(final boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    public IothServerSocketChannelConfig setWriteBufferHighWaterMark(final int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return this;
    }

    @Override
    public IothServerSocketChannelConfig setWriteBufferLowWaterMark(final int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return this;
    }

    @Override
    public IothServerSocketChannelConfig setWriteBufferWaterMark(final WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    @Override
    public IothServerSocketChannelConfig setMessageSizeEstimator(final MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }
}

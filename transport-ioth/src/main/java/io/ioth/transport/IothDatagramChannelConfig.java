package io.ioth.transport;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramChannelConfig;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Map;
import java.util.function.Consumer;

import static io.netty.channel.ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION;
import static io.netty.channel.ChannelOption.IP_MULTICAST_ADDR;
import static io.netty.channel.ChannelOption.IP_MULTICAST_IF;
import static io.netty.channel.ChannelOption.IP_MULTICAST_LOOP_DISABLED;
import static io.netty.channel.ChannelOption.IP_MULTICAST_TTL;
import static io.netty.channel.ChannelOption.IP_TOS;
import static io.netty.channel.ChannelOption.SO_BROADCAST;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.SO_SNDBUF;

/**
 * The options of an {@link IothDatagramChannel}, mapped onto its stack's {@link UdpSocket}. Values set before the
 * channel is registered (a bootstrap's {@code option(...)}) are kept and applied when the socket is opened on the
 * loop; later changes are applied on the loop.
 *
 * <table>
 *   <tr><th>option</th><th>effect on the stack socket</th></tr>
 *   <tr><td>SO_RCVBUF</td><td>the receive queue's byte limit (at least 2304, Linux's SOCK_MIN_RCVBUF; default 212992,
 *       Linux's rmem_default); the datagram-count limit stays the stack's</td></tr>
 *   <tr><td>SO_SNDBUF</td><td>kept and reported only: the stack never queues a datagram in the socket (a send goes
 *       to the link at once, a full link drops and counts)</td></tr>
 *   <tr><td>SO_BROADCAST</td><td>{@code setBroadcast}: without it a send to a broadcast address fails with
 *       {@code SocketException: Permission denied} (Linux's EACCES)</td></tr>
 *   <tr><td>SO_REUSEADDR</td><td>{@code setReuseAddress} (before bind)</td></tr>
 *   <tr><td>IP_TOS</td><td>{@code setTos}</td></tr>
 *   <tr><td>IP_MULTICAST_TTL ({@link #getTimeToLive()})</td><td>{@code setMulticastTtl} (default 1, RFC 1112)</td></tr>
 *   <tr><td>IP_MULTICAST_LOOP_DISABLED</td><td>{@code setMulticastLoop(!v)}</td></tr>
 *   <tr><td>IP_MULTICAST_IF / IP_MULTICAST_ADDR</td><td>the stack interface of that name / holding that address</td></tr>
 *   <tr><td>DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION</td><td>active once registered, before any bind</td></tr>
 *   <tr><td>{@link IothChannelOption#IP_TTL}, {@link IothChannelOption#SO_BINDTODEVICE}</td><td>{@code setTtl},
 *       {@code bindToInterface}</td></tr>
 * </table>
 *
 * <p>Thread-safe: setters may be called from any thread.
 */
public final class IothDatagramChannelConfig extends DefaultChannelConfig implements DatagramChannelConfig {
    /** Linux's net.core.rmem_default / wmem_default. */
    static final int DEFAULT_BUFFER = 212_992;
    /** Linux SOCK_MIN_RCVBUF (2048 + sizeof(struct sk_buff), rounded as the kernel reports it). */
    static final int MIN_RCVBUF = 2304;

    private final IothDatagramChannel ch;
    private volatile int receiveBufferSize = DEFAULT_BUFFER;
    private volatile boolean receiveBufferSet;
    private volatile int sendBufferSize = DEFAULT_BUFFER;
    private volatile boolean broadcast;
    private volatile boolean reuseAddress;
    private volatile int trafficClass;
    private volatile int multicastTtl = 1;
    private volatile boolean loopbackModeDisabled;
    private volatile NetworkInterface networkInterface;
    private volatile InetAddress interfaceAddress;
    private volatile boolean activeOnRegistration;
    private volatile int ttl = -1;
    private volatile String bindToDevice;

    IothDatagramChannelConfig(final IothDatagramChannel channel) {
        // NIO's datagram default (DefaultDatagramChannelConfig): fixed 2048-byte buffers; a larger datagram still
        // arrives whole (the buffer grows to fit, see IothDatagramChannel)
        super(channel, new FixedRecvByteBufAllocator(2048));
        this.ch = channel;
    }

    /** Applies every option to a newly opened socket. Loop thread. */
    void applyTo(final UdpSocket s, final Stack stack) {
        if (receiveBufferSet) {
            s.setReceiveQueueLimits(s.receiveQueueDatagramLimit(), Math.max(MIN_RCVBUF, receiveBufferSize));
        }
        s.setBroadcast(broadcast);
        s.setReuseAddress(reuseAddress);
        s.setTos(trafficClass);
        s.setMulticastTtl(multicastTtl);
        s.setMulticastLoop(!loopbackModeDisabled);
        if (ttl != -1) {
            s.setTtl(ttl);
        }
        s.setMulticastInterface(multicastInterface(stack));
        s.bindToInterface(bindToDevice == null ? null : iface(stack, bindToDevice));
    }

    private NetInterface multicastInterface(final Stack stack) {
        if (networkInterface != null) {
            return iface(stack, networkInterface.getName());
        }
        final InetAddress a = interfaceAddress;
        if (a != null && !a.isAnyLocalAddress()) {
            final long hi = IpAddr.hiOf(a);
            final long lo = IpAddr.loOf(a);
            for (NetInterface ifc : stack.interfaces()) {
                if (IpAddr.isV4(hi, lo) ? ifc.ipv4PrefixLength(IpAddr.v4Of(lo)) >= 0 : ifc.hasIpv6(hi, lo)) {
                    return ifc;
                }
            }
            throw new ChannelException("no interface of the stack has the address " + a.getHostAddress()
                    + " (IP_MULTICAST_ADDR)");
        }
        return null;
    }

    /** The stack interface called {@code name}: the identity's {@code iface=} (default vde0) or lo. */
    static NetInterface iface(final Stack stack, final String name) {
        final NetInterface ifc = stack.interfaceByName(name);
        if (ifc == null) {
            final StringBuilder names = new StringBuilder();
            for (NetInterface i : stack.interfaces()) {
                names.append(names.length() == 0 ? "" : ", ").append(i.name());
            }
            throw new ChannelException("the stack has no interface '" + name + "' (it has " + names + ")");
        }
        return ifc;
    }

    /** Runs {@code change} on the socket now (loop thread) or on the loop, if the socket exists. */
    private void apply(final Consumer<UdpSocket> change) {
        ch.applyToSocket(change);
    }

    // ---------------------------------------------------------------- generic option access

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_BROADCAST, SO_RCVBUF, SO_SNDBUF, SO_REUSEADDR, IP_MULTICAST_LOOP_DISABLED,
                IP_MULTICAST_ADDR, IP_MULTICAST_IF, IP_MULTICAST_TTL, IP_TOS, DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION,
                IothChannelOption.IP_TTL, IothChannelOption.SO_BINDTODEVICE);
    }

    @Override
    @SuppressWarnings({"unchecked", "deprecation"})
    public <T> T getOption(final ChannelOption<T> option) {
        if (option == SO_BROADCAST) {
            return (T) Boolean.valueOf(isBroadcast());
        }
        if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        if (option == SO_SNDBUF) {
            return (T) Integer.valueOf(getSendBufferSize());
        }
        if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        }
        if (option == IP_MULTICAST_LOOP_DISABLED) {
            return (T) Boolean.valueOf(isLoopbackModeDisabled());
        }
        if (option == IP_MULTICAST_ADDR) {
            return (T) getInterface();
        }
        if (option == IP_MULTICAST_IF) {
            return (T) getNetworkInterface();
        }
        if (option == IP_MULTICAST_TTL) {
            return (T) Integer.valueOf(getTimeToLive());
        }
        if (option == IP_TOS) {
            return (T) Integer.valueOf(getTrafficClass());
        }
        if (option == DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION) {
            return (T) Boolean.valueOf(activeOnRegistration);
        }
        if (option == IothChannelOption.IP_TTL) {
            return (T) Integer.valueOf(ttl);
        }
        if (option == IothChannelOption.SO_BINDTODEVICE) {
            return (T) bindToDevice;
        }
        return super.getOption(option);
    }

    @Override
    @SuppressWarnings("deprecation")
    public <T> boolean setOption(final ChannelOption<T> option, final T value) {
        validate(option, value);
        if (option == SO_BROADCAST) {
            setBroadcast((Boolean) value);
        } else if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == IP_MULTICAST_LOOP_DISABLED) {
            setLoopbackModeDisabled((Boolean) value);
        } else if (option == IP_MULTICAST_ADDR) {
            setInterface((InetAddress) value);
        } else if (option == IP_MULTICAST_IF) {
            setNetworkInterface((NetworkInterface) value);
        } else if (option == IP_MULTICAST_TTL) {
            setTimeToLive((Integer) value);
        } else if (option == IP_TOS) {
            setTrafficClass((Integer) value);
        } else if (option == DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION) {
            if (ch.isRegistered()) {
                throw new IllegalStateException("can only be changed before channel was registered");
            }
            activeOnRegistration = (Boolean) value;
        } else if (option == IothChannelOption.IP_TTL) {
            setTtl((Integer) value);
        } else if (option == IothChannelOption.SO_BINDTODEVICE) {
            setBindToDevice((String) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    boolean isActiveOnRegistration() {
        return activeOnRegistration;
    }

    // ---------------------------------------------------------------- typed accessors

    @Override
    public int getSendBufferSize() {
        return sendBufferSize;
    }

    @Override
    public IothDatagramChannelConfig setSendBufferSize(final int sendBufferSize) {
        if (sendBufferSize <= 0) {
            throw new IllegalArgumentException("sendBufferSize: " + sendBufferSize + " (expected: > 0)");
        }
        this.sendBufferSize = sendBufferSize;
        return this;
    }

    @Override
    public int getReceiveBufferSize() {
        return receiveBufferSize;
    }

    @Override
    public IothDatagramChannelConfig setReceiveBufferSize(final int receiveBufferSize) {
        if (receiveBufferSize <= 0) {
            throw new IllegalArgumentException("receiveBufferSize: " + receiveBufferSize + " (expected: > 0)");
        }
        this.receiveBufferSize = receiveBufferSize;
        this.receiveBufferSet = true;
        final int bytes = Math.max(MIN_RCVBUF, receiveBufferSize);
        apply(s -> s.setReceiveQueueLimits(s.receiveQueueDatagramLimit(), bytes));
        return this;
    }

    @Override
    public int getTrafficClass() {
        return trafficClass;
    }

    @Override
    public IothDatagramChannelConfig setTrafficClass(final int trafficClass) {
        if (trafficClass < 0 || trafficClass > 255) {
            throw new IllegalArgumentException("trafficClass: " + trafficClass + " (expected: 0-255)");
        }
        this.trafficClass = trafficClass;
        apply(s -> s.setTos(trafficClass));
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return reuseAddress;
    }

    @Override
    public IothDatagramChannelConfig setReuseAddress(final boolean reuseAddress) {
        this.reuseAddress = reuseAddress;
        apply(s -> s.setReuseAddress(reuseAddress));
        return this;
    }

    @Override
    public boolean isBroadcast() {
        return broadcast;
    }

    @Override
    public IothDatagramChannelConfig setBroadcast(final boolean broadcast) {
        this.broadcast = broadcast;
        apply(s -> s.setBroadcast(broadcast));
        return this;
    }

    @Override
    public boolean isLoopbackModeDisabled() {
        return loopbackModeDisabled;
    }

    @Override
    public IothDatagramChannelConfig setLoopbackModeDisabled(final boolean loopbackModeDisabled) {
        this.loopbackModeDisabled = loopbackModeDisabled;
        apply(s -> s.setMulticastLoop(!loopbackModeDisabled));
        return this;
    }

    /** IP_MULTICAST_TTL, as in Netty's other datagram channels. */
    @Override
    public int getTimeToLive() {
        return multicastTtl;
    }

    @Override
    public IothDatagramChannelConfig setTimeToLive(final int ttl) {
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: 0-255)");
        }
        this.multicastTtl = ttl;
        apply(s -> s.setMulticastTtl(ttl));
        return this;
    }

    /** {@link IothChannelOption#IP_TTL}. */
    public int getTtl() {
        return ttl;
    }

    public IothDatagramChannelConfig setTtl(final int ttl) {
        if (ttl != -1 && (ttl < 1 || ttl > 255)) {
            throw new IllegalArgumentException("IP_TTL: " + ttl + " (expected: 1-255, or -1 for the default)");
        }
        this.ttl = ttl;
        apply(s -> s.setTtl(ttl));
        return this;
    }

    /** {@link IothChannelOption#SO_BINDTODEVICE}. */
    public String getBindToDevice() {
        return bindToDevice;
    }

    public IothDatagramChannelConfig setBindToDevice(final String name) {
        this.bindToDevice = name;
        ch.applyToSocketWithStack((s, stack) -> s.bindToInterface(name == null ? null : iface(stack, name)));
        return this;
    }

    @Override
    public InetAddress getInterface() {
        return interfaceAddress;
    }

    @Override
    public IothDatagramChannelConfig setInterface(final InetAddress interfaceAddress) {
        this.interfaceAddress = interfaceAddress;
        this.networkInterface = null;
        ch.applyToSocketWithStack((s, stack) -> s.setMulticastInterface(multicastInterface(stack)));
        return this;
    }

    @Override
    public NetworkInterface getNetworkInterface() {
        return networkInterface;
    }

    /** The stack interface with this interface's name becomes the multicast interface. */
    @Override
    public IothDatagramChannelConfig setNetworkInterface(final NetworkInterface networkInterface) {
        this.networkInterface = networkInterface;
        this.interfaceAddress = null;
        ch.applyToSocketWithStack((s, stack) -> s.setMulticastInterface(multicastInterface(stack)));
        return this;
    }

    // ---------------------------------------------------------------- covariant returns

    @Override
    protected void autoReadCleared() {
        ch.clearReadPending();
    }

    @Override
    @Deprecated
    public IothDatagramChannelConfig setMaxMessagesPerRead(final int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public IothDatagramChannelConfig setWriteSpinCount(final int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public IothDatagramChannelConfig setConnectTimeoutMillis(final int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    public IothDatagramChannelConfig setAllocator(final ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public IothDatagramChannelConfig setRecvByteBufAllocator(final RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public IothDatagramChannelConfig setAutoRead(final boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public IothDatagramChannelConfig setAutoClose(final boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    public IothDatagramChannelConfig setMessageSizeEstimator(final MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    public IothDatagramChannelConfig setWriteBufferWaterMark(final WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }
}

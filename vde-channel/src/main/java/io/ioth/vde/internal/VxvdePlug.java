package io.ioth.vde.internal;

import io.ioth.vde.DropReason;
import io.ioth.vde.FrameHandler;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.Vnl;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * {@code vxvde://}: switchless distributed Ethernet over UDP multicast, byte-compatible with vdeplug4's
 * libvdeplug_vxvde (vde-protocol.md §3, §6.14).
 *
 * <ul>
 * <li>Socket M: bound to GROUP:port with SO_REUSEADDR and joined to the group; it only receives.</li>
 * <li>Socket U: bound to bind-addr:0 (ephemeral); it sends everything (frames to the group or to a
 *     learned peer, and the goodbye) and receives unicast. Peers learn U's exact ip:port.</li>
 * <li>Each datagram is the 8-byte {@link VxvdeHeader} plus the frame. Sending uses {@code sendmsg}
 *     with a two-element iovec (header block, frame memory), so the frame is never copied and goes
 *     out as one datagram, as the C plugin does.</li>
 * <li>Receiving reads header + frame into one pooled direct buffer and delivers it with readerIndex 8.</li>
 * </ul>
 *
 * Thread contract: owned by one thread (see {@link io.ioth.vde.VdePlug}); {@link #stats()} from any.
 */
public final class VxvdePlug extends AbstractDatagramPlug {
    // struct msghdr on LP64 Linux: name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48
    private static final int MSG = 0, IOV0 = 64, IOV1 = 80, HDR = 96, DST = 104, SRC = 136,
            GROUP = 176, PROBE = 208, PROBELEN = 240, RXMSG = 256, RXIOV = 320, MEM_SIZE = 336;
    private static final int RX_CAPACITY = VxvdeHeader.LENGTH + MAX_FRAME;
    private static final int MIN_DATAGRAM = VxvdeHeader.LENGTH + MIN_FRAME; // must be strictly exceeded

    private final boolean v6;
    private final int multiFd, uniFd, probeFd;
    private final int uniPort;
    private final long header;
    private final int groupLen;
    private final VxvdeMacTable table;
    private final NativeMemory mem;
    private final io.netty.util.concurrent.Ticker ticker;
    // the last source address proven local (libvdeplug_vxvde caches localaddr the same way)
    private boolean selfKnown;
    private long selfHi, selfLo;

    private VxvdePlug(Vnl.Vxvde vnl, VdeOptions options, int multiFd, int uniFd, int probeFd, int uniPort,
                      NativeMemory mem, int groupLen) {
        super(vnl, options, RX_CAPACITY);
        this.v6 = vnl.ipv6();
        this.multiFd = multiFd;
        this.uniFd = uniFd;
        this.probeFd = probeFd;
        this.uniPort = uniPort;
        this.mem = mem;
        this.groupLen = groupLen;
        this.ticker = options.ticker();
        this.header = VxvdeHeader.of(vnl.vni());
        this.table = new VxvdeMacTable(vnl.hashSize(), TimeUnit.SECONDS.toNanos(vnl.expireSeconds()));
        // header block: 08 00 00 00 VNI(3, BE) 00
        for (int i = 0; i < 8; i++) mem.putByte(HDR + i, (byte) (header >>> (56 - 8 * i)));
        mem.putLong(IOV0, mem.address() + HDR);
        mem.putLong(IOV0 + 8, VxvdeHeader.LENGTH);
        mem.putLong(MSG + 16, mem.address() + IOV0);
        mem.putLong(MSG + 24, 2);
        mem.putLong(MSG + 32, 0);
        mem.putLong(MSG + 40, 0);
        mem.putInt(MSG + 48, 0);
        // receive msghdr: name = SRC, one iovec over the spare buffer (recvfrom's six arguments do not
        // survive jnr-ffi here, see LibC)
        mem.putLong(RXMSG, mem.address() + SRC);
        mem.putLong(RXMSG + 16, mem.address() + RXIOV);
        mem.putLong(RXMSG + 24, 1);
        mem.putLong(RXMSG + 32, 0);
        mem.putLong(RXMSG + 40, 0);
        mem.putLong(RXIOV + 8, RX_CAPACITY);
    }

    /**
     * Opens both sockets in the calling thread's network namespace.
     *
     * @throws IOException if a socket cannot be made, bound or joined to the group
     */
    public static VxvdePlug open(Vnl.Vxvde vnl, VdeOptions options) throws IOException {
        boolean v6 = vnl.ipv6();
        int fam = v6 ? LibC.AF_INET6 : LibC.AF_INET;
        int multi = -1, uni = -1, probe = -1;
        NativeMemory mem = new NativeMemory(MEM_SIZE);
        try (NativeMemory tmp = new NativeMemory(64)) {
            int ifindex = 0;
            if (vnl.ifname() != null) {
                ifindex = C.if_nametoindex(vnl.ifname());
                if (ifindex == 0) throw new IOException("vxvde: no interface '" + vnl.ifname() + "'");
            }
            int groupLen = InetSockAddr.put(mem, GROUP, vnl.group(), vnl.port(), v6);

            // M: bound to the group address itself (not ANY) with SO_REUSEADDR, joined (§6.14)
            multi = udpSocket(fam);
            setInt(tmp, multi, LibC.SOL_SOCKET, LibC.SO_REUSEADDR, 1, "SO_REUSEADDR");
            int rcvbuf = vnl.receiveBufferSize() > 0 ? vnl.receiveBufferSize() : options.receiveBufferSize();
            if (rcvbuf > 0) setInt(tmp, multi, LibC.SOL_SOCKET, LibC.SO_RCVBUF, rcvbuf, "SO_RCVBUF");
            if (C.bind(multi, mem.address() + GROUP, groupLen) != 0) {
                throw new IOException("vxvde: bind " + vnl.group().getHostAddress() + ":" + vnl.port() + ": "
                        + LibC.describe(LibC.errno()));
            }
            tmp.clear();
            if (v6) { // struct ipv6_mreq { in6_addr; int ifindex }
                byte[] g = vnl.group().getAddress();
                tmp.putBytes(0, g);
                tmp.putInt(16, ifindex);
                joinGroup(tmp, multi, LibC.IPPROTO_IPV6, LibC.IPV6_JOIN_GROUP, 20, vnl);
            } else { // struct ip_mreqn { multiaddr; address = ANY; ifindex }
                tmp.putBytes(0, vnl.group().getAddress());
                tmp.putInt(8, ifindex);
                joinGroup(tmp, multi, LibC.IPPROTO_IP, LibC.IP_ADD_MEMBERSHIP, 12, vnl);
            }

            // U: ephemeral port; sends everything, receives unicast
            uni = udpSocket(fam);
            if (rcvbuf > 0) setInt(tmp, uni, LibC.SOL_SOCKET, LibC.SO_RCVBUF, rcvbuf, "SO_RCVBUF");
            if (v6) {
                // libvdeplug_vxvde sets only the multicast hop limit for v6
                setInt(tmp, uni, LibC.IPPROTO_IPV6, LibC.IPV6_MULTICAST_HOPS, vnl.ttl(), "IPV6_MULTICAST_HOPS");
                setInt(tmp, uni, LibC.IPPROTO_IPV6, LibC.IPV6_MULTICAST_LOOP, 1, "IPV6_MULTICAST_LOOP");
                if (ifindex > 0) setInt(tmp, uni, LibC.IPPROTO_IPV6, LibC.IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF");
            } else {
                setInt(tmp, uni, LibC.IPPROTO_IP, LibC.IP_TTL, vnl.ttl(), "IP_TTL");
                setInt(tmp, uni, LibC.IPPROTO_IP, LibC.IP_MULTICAST_TTL, vnl.ttl(), "IP_MULTICAST_TTL");
                setInt(tmp, uni, LibC.IPPROTO_IP, LibC.IP_MULTICAST_LOOP, 1, "IP_MULTICAST_LOOP");
                if (ifindex > 0) {
                    tmp.clear();
                    tmp.putInt(8, ifindex);
                    setBytes(tmp, uni, LibC.IPPROTO_IP, LibC.IP_MULTICAST_IF, 12, "IP_MULTICAST_IF");
                }
            }
            if (vnl.bind() != null && (vnl.bind() instanceof Inet6Address) != v6) {
                throw new IllegalArgumentException("vxvde: bind=" + vnl.bind().getHostAddress()
                        + " is not of the group's address family");
            }
            int bindLen = InetSockAddr.put(tmp, 0, vnl.bind(), 0, v6);
            if (C.bind(uni, tmp.address(), bindLen) != 0) {
                throw new IOException("vxvde: bind unicast socket to "
                        + (vnl.bind() == null ? "any" : vnl.bind().getHostAddress()) + ":0: " + LibC.describe(LibC.errno()));
            }
            tmp.putInt(32, InetSockAddr.MAX);
            if (C.getsockname(uni, tmp.address(), tmp.address() + 32) != 0) {
                throw new IOException("vxvde: getsockname: " + LibC.describe(LibC.errno()));
            }
            int uniPort = InetSockAddr.port(tmp, 0);

            // a spare socket to ask the kernel (in the plug's own namespace) whether an address is local
            probe = udpSocket(fam);
            return new VxvdePlug(vnl, options, multi, uni, probe, uniPort, mem, groupLen);
        } catch (IOException | RuntimeException e) {
            closeQuietly(multi);
            closeQuietly(uni);
            closeQuietly(probe);
            mem.close();
            throw e;
        }
    }

    private static void joinGroup(NativeMemory req, int fd, int level, int opt, int len, Vnl.Vxvde vnl) throws IOException {
        if (C.setsockopt(fd, level, opt, req.address(), len) != 0) {
            throw new IOException("vxvde: join group " + vnl.group().getHostAddress()
                    + (vnl.ifname() != null ? " on " + vnl.ifname() : "") + ": " + LibC.describe(LibC.errno())
                    + " (is there a multicast route?)");
        }
    }

    @Override
    public boolean isConnected() { return open; }

    @Override
    protected int sendFd() { return uniFd; }

    @Override
    public void pollFds(PollSet set) {
        if (!open) return;
        set.add(this, multiFd, LibC.POLLIN);
        set.add(this, uniFd, hasBacklog() ? (short) (LibC.POLLIN | LibC.POLLOUT) : LibC.POLLIN);
    }

    // Send (§3): a group destination, or one without an entry younger than expiretime, goes to the
    // group; otherwise straight to the learned peer. Always from U.
    @Override
    protected int trySend(ByteBuf frame) {
        int ri = frame.readerIndex();
        int len = frame.readableBytes();
        long dst = mem.address() + GROUP;
        int dstLen = groupLen;
        if (!VxvdeMacTable.isGroup(frame, ri)) {
            int slot = table.lookup(VxvdeMacTable.key(frame, ri), ticker.nanoTime());
            if (slot >= 0) {
                dstLen = v6 ? InetSockAddr.putV6(mem, DST, table.hi(slot), table.lo(slot), table.port(slot), table.scope(slot))
                        : InetSockAddr.putV4(mem, DST, (int) table.lo(slot), table.port(slot));
                dst = mem.address() + DST;
            }
        }
        mem.putLong(MSG, dst);
        mem.putInt(MSG + 8, dstLen);
        mem.putLong(IOV1, readableAddress(frame));
        mem.putLong(IOV1 + 8, len);
        long n = C.sendmsg(uniFd, mem.address() + MSG, LibC.MSG_DONTWAIT | LibC.MSG_NOSIGNAL);
        if (n < 0) {
            int e = LibC.errno();
            if (e == LibC.EAGAIN || e == LibC.EINTR) return AGAIN;
            frame.release();
            stats.dropped(DropReason.SEND_ERROR);
            return DROPPED;
        }
        frame.release();
        stats.sent(len);
        return SENT;
    }

    @Override
    public int read(FrameHandler handler, int maxFrames) {
        if (!open) return 0;
        int delivered = 0;
        int budget = Math.max(maxFrames, 1) * 2 + 16; // bound the work: drops consume budget too
        boolean multiEmpty = false, uniEmpty = false;
        // open: the handler may close us, freeing the sockets and the msghdr block
        while (open && delivered < maxFrames && budget > 0 && !(multiEmpty && uniEmpty)) {
            if (!multiEmpty) {
                budget--;
                int r = receiveOne(multiFd, true, handler);
                if (r < 0) multiEmpty = true; else delivered += r;
            }
            if (open && !uniEmpty && delivered < maxFrames && budget > 0) {
                budget--;
                int r = receiveOne(uniFd, false, handler);
                if (r < 0) uniEmpty = true; else delivered += r;
            }
        }
        return delivered;
    }

    /** @return -1 if the socket had nothing, 0 if a datagram was consumed without a frame, 1 if delivered */
    private int receiveOne(int fd, boolean fromMulticast, FrameHandler handler) {
        ByteBuf buf = spare();
        mem.putInt(RXMSG + 8, InetSockAddr.MAX);
        mem.putInt(RXMSG + 48, 0);
        mem.putLong(RXIOV, buf.memoryAddress());
        long n = C.recvmsg(fd, mem.address() + RXMSG, LibC.MSG_DONTWAIT | LibC.MSG_TRUNC);
        if (n < 0) return LibC.errno() == LibC.EINTR ? 0 : -1; // EAGAIN, or an error nothing can be done about
        if (n > RX_CAPACITY) {
            stats.dropped(DropReason.OVERSIZE);
            return 0;
        }
        int len = (int) n;
        if (len < VxvdeHeader.LENGTH) {
            stats.dropped(DropReason.RUNT);
            return 0;
        }
        DropReason bad = VxvdeHeader.mismatch(VxvdeHeader.read(buf, 0), header);
        if (bad != null) { // all 8 header bytes must be ours (§3 Receive)
            stats.dropped(bad);
            return 0;
        }
        long hi = v6 ? InetSockAddr.v6Hi(mem, SRC) : 0;
        long lo = v6 ? InetSockAddr.v6Lo(mem, SRC) : InetSockAddr.v4(mem, SRC) & 0xffffffffL;
        int port = InetSockAddr.port(mem, SRC);
        int scope = v6 ? InetSockAddr.v6Scope(mem, SRC) : 0;
        if (len == VxvdeHeader.LENGTH) { // goodbye: forget every MAC learned from this exact sockaddr (§3)
            table.forget(hi, lo, port, scope);
            return 0;
        }
        if (len <= MIN_DATAGRAM) { // libvdeplug_vxvde: a frame must be longer than 14 bytes
            stats.dropped(DropReason.RUNT);
            return 0;
        }
        if (fromMulticast && port == uniPort && isLocal(hi, lo, port)) {
            return 0; // our own frame looped back by IP_MULTICAST_LOOP: not a drop
        }
        int mac = VxvdeHeader.LENGTH + 6;
        if (!VxvdeMacTable.isGroup(buf, mac)) {
            table.learn(VxvdeMacTable.key(buf, mac), hi, lo, port, scope, ticker.nanoTime());
        }
        takeSpare();
        buf.setIndex(VxvdeHeader.LENGTH, len);
        stats.received(len - VxvdeHeader.LENGTH);
        handler.onFrame(buf);
        return 1;
    }

    /**
     * Whether the source address (already known to carry our U port) is one of this namespace's own:
     * connect the probe socket to it and see whether the kernel picks that very address as source
     * (a local destination is reached through the local table, whose preferred source is itself).
     * libvdeplug_vxvde compares with IP_PKTINFO's spec_dst (v4) or getifaddrs (v6); this works for
     * both families and on whatever thread the owner is, and is cached like its {@code localaddr}.
     */
    private boolean isLocal(long hi, long lo, int port) {
        if (selfKnown && selfHi == hi && selfLo == lo) return true;
        int len = v6 ? InetSockAddr.putV6(mem, PROBE, hi, lo, port, InetSockAddr.v6Scope(mem, SRC))
                : InetSockAddr.putV4(mem, PROBE, (int) lo, port);
        if (C.connect(probeFd, mem.address() + PROBE, len) != 0) return false;
        mem.putInt(PROBELEN, InetSockAddr.MAX);
        if (C.getsockname(probeFd, mem.address() + PROBE, mem.address() + PROBELEN) != 0) return false;
        boolean local = v6 ? InetSockAddr.v6Hi(mem, PROBE) == hi && InetSockAddr.v6Lo(mem, PROBE) == lo
                : (InetSockAddr.v4(mem, PROBE) & 0xffffffffL) == lo;
        if (local) {
            selfKnown = true;
            selfHi = hi;
            selfLo = lo;
        }
        return local;
    }

    /** The unicast socket's port: the source port peers learn. */
    public int unicastPort() { return uniPort; }

    /** The learning table (tests and diagnostics; owner thread). */
    public VxvdeMacTable macTable() { return table; }

    /** The U socket's local address as the kernel bound it (cold path). */
    public InetSocketAddress unicastAddress() {
        try (NativeMemory tmp = new NativeMemory(40)) {
            tmp.putInt(32, InetSockAddr.MAX);
            if (C.getsockname(uniFd, tmp.address(), tmp.address() + 32) != 0) {
                throw new IllegalStateException("getsockname: " + LibC.describe(LibC.errno()));
            }
            return InetSockAddr.decode(tmp, 0);
        }
    }

    @Override
    public void close() {
        if (!open) return;
        open = false;
        // goodbye: a header-only datagram to the group, from U, so peers forget our MACs (§3)
        mem.putLong(MSG, mem.address() + GROUP);
        mem.putInt(MSG + 8, groupLen);
        mem.putLong(MSG + 24, 1); // the header iovec only
        C.sendmsg(uniFd, mem.address() + MSG, LibC.MSG_DONTWAIT | LibC.MSG_NOSIGNAL);
        C.close(uniFd);
        C.close(multiFd);
        C.close(probeFd);
        releaseBuffers();
        mem.close();
    }
}

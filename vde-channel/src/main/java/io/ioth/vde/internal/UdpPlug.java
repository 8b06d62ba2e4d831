package io.ioth.vde.internal;

import io.ioth.vde.DropReason;
import io.ioth.vde.FrameHandler;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.Vnl;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * {@code udp://[local:]port->host:port}: a point-to-point UDP cable, one raw frame per datagram with
 * no header (vde-protocol.md §4, libvdeplug_udp). The socket is bound to the local side and
 * {@code connect()}ed to the remote at once, so the kernel drops datagrams from anyone else, as the C
 * plugin's socket does after its first send (§6.15).
 *
 * Thread contract: owned by one thread (see {@link io.ioth.vde.VdePlug}); {@link #stats()} from any.
 */
public final class UdpPlug extends AbstractDatagramPlug {
    private final int fd;
    private final InetSocketAddress remote;

    private UdpPlug(Vnl.Udp vnl, VdeOptions options, int fd, InetSocketAddress remote) {
        super(vnl, options, MAX_FRAME);
        this.fd = fd;
        this.remote = remote;
    }

    /**
     * Opens the socket in the calling thread's network namespace. The remote host is resolved here
     * (the only blocking step; a literal address needs no lookup).
     */
    public static UdpPlug open(Vnl.Udp vnl, VdeOptions options) throws IOException {
        InetAddress remote;
        try {
            remote = InetAddress.getByName(vnl.remoteHost());
        } catch (UnknownHostException e) {
            throw new IOException("udp: cannot resolve remote host '" + vnl.remoteHost() + "'", e);
        }
        // libvdeplug_udp resolves the destination first and binds the source in its family
        boolean v6 = remote instanceof Inet6Address;
        if (vnl.localAddress() != null && (vnl.localAddress() instanceof Inet6Address) != v6) {
            throw new IllegalArgumentException("udp: local address " + vnl.localAddress().getHostAddress()
                    + " and remote " + remote.getHostAddress() + " are of different address families");
        }
        int fd = -1;
        try (NativeMemory tmp = new NativeMemory(64)) {
            fd = udpSocket(v6 ? LibC.AF_INET6 : LibC.AF_INET);
            if (options.receiveBufferSize() > 0) {
                setInt(tmp, fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, options.receiveBufferSize(), "SO_RCVBUF");
            }
            int len = InetSockAddr.put(tmp, 0, vnl.localAddress(), vnl.localPort(), v6);
            if (C.bind(fd, tmp.address(), len) != 0) {
                throw new IOException("udp: bind " + (vnl.localAddress() == null ? "any" : vnl.localAddress().getHostAddress())
                        + ":" + vnl.localPort() + ": " + LibC.describe(LibC.errno()));
            }
            len = InetSockAddr.put(tmp, 0, remote, vnl.remotePort(), v6);
            if (C.connect(fd, tmp.address(), len) != 0) {
                throw new IOException("udp: connect " + remote.getHostAddress() + ":" + vnl.remotePort() + ": "
                        + LibC.describe(LibC.errno()));
            }
            return new UdpPlug(vnl, options, fd, new InetSocketAddress(remote, vnl.remotePort()));
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    @Override
    public boolean isConnected() { return open; }

    @Override
    protected int sendFd() { return fd; }

    @Override
    public void pollFds(PollSet set) {
        if (open) set.add(this, fd, hasBacklog() ? (short) (LibC.POLLIN | LibC.POLLOUT) : LibC.POLLIN);
    }

    @Override
    protected int trySend(ByteBuf frame) {
        int len = frame.readableBytes();
        long n = C.send(fd, readableAddress(frame), len, LibC.MSG_DONTWAIT | LibC.MSG_NOSIGNAL);
        if (n < 0) {
            int e = LibC.errno();
            if (e == LibC.EAGAIN || e == LibC.EINTR) return AGAIN;
            // e.g. ECONNREFUSED: an ICMP port unreachable for an earlier datagram is reported here,
            // and this datagram is not sent
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
        int budget = Math.max(maxFrames, 1) * 2 + 16; // drops and ICMP errors consume budget too
        while (delivered < maxFrames && budget-- > 0) {
            ByteBuf buf = spare();
            long n = C.recv(fd, buf.memoryAddress(), MAX_FRAME, LibC.MSG_DONTWAIT | LibC.MSG_TRUNC);
            if (n < 0) {
                int e = LibC.errno();
                // ECONNREFUSED: the peer's port was closed (ICMP); reading clears it, keep going
                if (e == LibC.EINTR || e == LibC.ECONNREFUSED) continue;
                break;
            }
            if (n > MAX_FRAME) {
                stats.dropped(DropReason.OVERSIZE);
                continue;
            }
            if (n < MIN_FRAME) {
                stats.dropped(DropReason.RUNT);
                continue;
            }
            takeSpare();
            buf.setIndex(0, (int) n);
            stats.received((int) n);
            handler.onFrame(buf);
            delivered++;
            if (!open) break; // the handler closed us: the fd is gone (its number may be reused)
        }
        return delivered;
    }

    /** The peer this cable is connected to. */
    public InetSocketAddress remote() { return remote; }

    /** The socket's local address as the kernel bound it (cold path). */
    public InetSocketAddress localAddress() {
        try (NativeMemory tmp = new NativeMemory(40)) {
            tmp.putInt(32, InetSockAddr.MAX);
            if (C.getsockname(fd, tmp.address(), tmp.address() + 32) != 0) {
                throw new IllegalStateException("getsockname: " + LibC.describe(LibC.errno()));
            }
            return InetSockAddr.decode(tmp, 0);
        }
    }

    @Override
    public void close() {
        if (!open) return;
        open = false;
        C.close(fd);
        releaseBuffers();
    }
}

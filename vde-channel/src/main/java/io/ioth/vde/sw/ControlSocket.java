package io.ioth.vde.sw;

import io.ioth.vde.DropReason;
import io.ioth.vde.FrameHandler;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePoller;
import io.ioth.vde.internal.AbstractPlug;
import io.ioth.vde.internal.LibC;
import io.ioth.vde.internal.NativeMemory;
import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;
import jnr.ffi.LibraryLoader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A vde_switch-compatible control socket for an {@link EmbeddedSwitch} (vde-protocol.md §1.1-1.5):
 * {@code dir/ctl} accepts real {@code vde_plug vde:///dir} clients with the v3 handshake and bridges
 * each client's datagram socket into a switch port. The control stream's EOF frees the port.
 *
 * <p>One I/O thread ({@code ioth-vde-ctl-NAME}) with one {@link VdePoller} serves the listening
 * socket, the handshakes, and every external port's control and data sockets; the external ports'
 * plugs are owned by that thread.
 *
 * <p>Differences from vde_switch 2.3.2: only v3 requests are accepted (v1 legacy requests are closed);
 * a refused port (out of range, in use) closes the control stream instead of leaving the client
 * waiting forever; one endpoint per port; no management console; no uid-based port access control.
 *
 * <p>Threading: {@link #close()} from any thread; everything else runs on the I/O thread.
 */
public final class ControlSocket implements AutoCloseable {
    private static final LibC C = LibC.INSTANCE;
    private static final Sys SYS = LibraryLoader.create(Sys.class).load("c");
    private static final int MAGIC = 0xFEEDFACE, VERSION = 3;   // vde-protocol.md §1.2
    private static final int REQUEST_MAX = 256, REQUEST_HEAD = 122, ANSWER = 110, SUN_PATH = 108;
    private static final int R_OK = 4, W_OK = 2;
    private static final int BATCH = 64;

    /** The libc calls LibC lacks (listen/accept4/access); same conventions as LibC. */
    public interface Sys {
        int listen(int fd, int backlog);

        int accept4(int fd, long addr, long addrLen, int flags);

        int access(String path, int mode);
    }

    private final EmbeddedSwitch sw;
    private final Path dir;
    private final Path ctlPath;
    private final int listenFd;
    private final VdePoller poller = new VdePoller();
    private final Runnable wake = poller::wakeup;
    private final Fds fds = new Fds();
    private final List<Handshake> handshakes = new ArrayList<>();
    private final List<External> externals = new ArrayList<>();
    private final NativeMemory io = new NativeMemory(AbstractPlug.MAX_FRAME + 1);
    private final NativeMemory addr = new NativeMemory(ANSWER);
    private final Thread thread;
    private volatile boolean stopping;
    private final FrameHandler sender = this::sendOut;
    private External current;

    private static final class Handshake {
        final int fd;

        Handshake(int fd) { this.fd = fd; }
    }

    private static final class External {
        final int ctlFd, dataFd;
        final EmbeddedPlug plug;
        final String path, description;
        ByteBuf backlog; // a frame the client's socket had no room for (EAGAIN): retried on POLLOUT

        External(int ctlFd, int dataFd, EmbeddedPlug plug, String path, String description) {
            this.ctlFd = ctlFd;
            this.dataFd = dataFd;
            this.plug = plug;
            this.path = path;
            this.description = description;
        }
    }

    private ControlSocket(EmbeddedSwitch sw, Path dir, int listenFd) {
        this.sw = sw;
        this.dir = dir;
        this.ctlPath = dir.resolve("ctl");
        this.listenFd = listenFd;
        poller.add(fds);
        this.thread = new Thread(this::loop, "ioth-vde-ctl-" + (sw.name() == null ? "private" : sw.name()));
        this.thread.setDaemon(true);
    }

    static ControlSocket start(EmbeddedSwitch sw, Path dir) throws IOException {
        dir = dir.toAbsolutePath();
        Files.createDirectories(dir);
        Path ctl = dir.resolve("ctl");
        if (ctl.toString().length() >= SUN_PATH) throw new IOException("path too long for AF_UNIX: " + ctl);
        int fd = C.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) throw new IOException("socket: " + LibC.describe(LibC.errno()));
        try (NativeMemory sa = new NativeMemory(ANSWER)) {
            int len = sockaddr(sa, ctl.toString());
            if (Files.exists(ctl)) {
                // vde-protocol.md §1.1: a live ctl means another switch; a refused connect means stale
                int probe = C.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
                boolean live = C.connect(probe, sa.address(), len) == 0;
                C.close(probe);
                if (live) throw new IOException(ctl + " is in use by another switch");
                C.unlink(ctl.toString());
            }
            if (C.bind(fd, sa.address(), len) != 0) throw new IOException("bind " + ctl + ": " + LibC.describe(LibC.errno()));
            C.chmod(ctl.toString(), 0600); // vde_switch's default ctl mode (§1.1)
            if (SYS.listen(fd, 15) != 0) throw new IOException("listen " + ctl + ": " + LibC.describe(LibC.errno()));
        } catch (IOException | RuntimeException e) {
            C.close(fd);
            throw e;
        }
        ControlSocket cs = new ControlSocket(sw, dir, fd);
        cs.thread.start();
        return cs;
    }

    /** Writes a sockaddr_un; returns its length. */
    private static int sockaddr(NativeMemory m, String path) {
        m.clear();
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length >= SUN_PATH) throw new IllegalArgumentException("AF_UNIX path too long: " + path);
        m.putShort(0, (short) LibC.AF_UNIX);
        m.putBytes(2, p);
        return 2 + p.length + 1;
    }

    public Path dir() { return dir; }

    /** The {@code vde://} VNL real tools use to reach this switch. */
    public String vnl() { return "vde://" + dir; }

    /** Stops accepting, frees every external port and removes the socket files. Idempotent; any thread. */
    @Override
    public void close() {
        stopping = true;
        poller.wakeup();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ the I/O thread

    private void loop() {
        try {
            while (!stopping) {
                // Not await(-1): VdePoller stores the timeout in sleepingUntil, and -1 equals its AWAKE
                // marker, so wakeup() would never write the pipe. A bounded wait sidesteps that.
                poller.await(1_000_000_000L);
                serviceOutbound();
            }
        } catch (RuntimeException | Error e) {
            // the thread must not die silently with sockets open: fall through to the cleanup
            e.printStackTrace();
        } finally {
            for (Handshake h : handshakes) C.close(h.fd);
            handshakes.clear();
            for (External x : new ArrayList<>(externals)) free(x);
            C.close(listenFd);
            C.unlink(ctlPath.toString());
            try {
                Files.deleteIfExists(dir); // only if empty, as vde_switch does (§1.1)
            } catch (IOException e) {
                // not empty: leave it
            }
            poller.close();
            io.close();
            addr.close();
            sw.controlClosed(this);
        }
    }

    /** Drains each external port's input to its client, frame by frame, until EAGAIN. */
    private void serviceOutbound() {
        for (int i = 0; i < externals.size(); i++) {
            External x = externals.get(i);
            current = x;
            if (x.backlog != null) {
                ByteBuf b = x.backlog;
                x.backlog = null;
                sendOut(b);
            }
            for (int n = 0; n < BATCH && x.backlog == null && x.plug.read(sender, 1) > 0; n++) {
                // sendOut did the work
            }
        }
        current = null;
    }

    /** Sends one frame to the current external client; keeps it as backlog on EAGAIN. */
    private void sendOut(ByteBuf f) {
        External x = current;
        int len = f.readableBytes();
        if (len > AbstractPlug.MAX_FRAME) { // an in-JVM jumbo frame (EmbeddedSwitch.MAX_FRAME): vdeplug4 takes 9234
            f.release();
            x.plug.stats().dropped(DropReason.OVERSIZE);
            return;
        }
        long a;
        if (f.hasMemoryAddress()) {
            a = f.memoryAddress() + f.readerIndex();
        } else {
            byte[] tmp = new byte[len]; // heap frames are rare here (pooled direct is the default)
            f.getBytes(f.readerIndex(), tmp);
            io.putBytes(0, tmp);
            a = io.address();
        }
        long n = C.send(x.dataFd, a, len, LibC.MSG_DONTWAIT | LibC.MSG_NOSIGNAL);
        if (n == len) {
            f.release();
            return;
        }
        int e = n < 0 ? LibC.errno() : 0;
        if (e == LibC.EAGAIN || e == LibC.ENOBUFS) {
            x.backlog = f; // vde-protocol.md §6.6: max_dgram_qlen is small; wait for POLLOUT instead of dropping
            return;
        }
        f.release();
        x.plug.stats().dropped(DropReason.SEND_ERROR); // client gone: its ctl EOF will free the port
    }

    private void accept() {
        while (true) {
            int fd = SYS.accept4(listenFd, 0, 0, LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC);
            if (fd < 0) return;
            handshakes.add(new Handshake(fd));
        }
    }

    /** vde-protocol.md §1.2, the switch's side: one read of at most 256 bytes is the whole request. */
    private void handshake(Handshake h) {
        long n = C.recv(h.fd, io.address(), REQUEST_MAX, LibC.MSG_DONTWAIT);
        if (n < 0 && LibC.errno() == LibC.EAGAIN) return;
        handshakes.remove(h);
        int dataFd = -1;
        EmbeddedPlug plug = null;
        try {
            if (n < REQUEST_HEAD) throw new IOException("short request (" + n + " bytes)");
            if (io.getInt(0) != MAGIC) throw new IOException("bad magic");      // host order (§1.2)
            if (io.getInt(4) != VERSION) throw new IOException("version " + io.getInt(4) + " (only v3)");
            int type = io.getInt(8);
            int kind = type & 0xff, port = type >>> 8;
            if (io.getShort(12) != LibC.AF_UNIX) throw new IOException("not AF_UNIX");
            String clientPath = io.getCString(14, SUN_PATH);
            byte[] d = new byte[(int) n - REQUEST_HEAD];
            io.getBytes(REQUEST_HEAD, d, d.length);
            String descr = new String(d, StandardCharsets.ISO_8859_1);
            if (SYS.access(clientPath, R_OK | W_OK) != 0) throw new IOException("cannot access " + clientPath);
            dataFd = C.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
            if (dataFd < 0) throw new IOException("socket: " + LibC.describe(LibC.errno()));
            int alen = sockaddr(addr, clientPath);
            if (C.connect(dataFd, addr.address(), alen) != 0) throw new IOException("connect " + clientPath);
            // §1.3: kind 1 = port 0; a port field N > 0 asks for N; otherwise the lowest free from 1
            int want = kind == 1 ? 0 : port > 0 ? port : -1;
            plug = sw.plugExternal(want, VdeOptions.defaults().withDescription(descr));
            if (plug == null) throw new IOException("port " + want + " unavailable");
            plug.wakeup(wake);
            String ours = dir.resolve(String.format("%03d.%d", plug.port(), dataFd)).toString(); // §1.1 DIR/%03d.%d
            alen = sockaddr(addr, ours);
            if (C.bind(dataFd, addr.address(), alen) != 0) throw new IOException("bind " + ours);
            C.chmod(ours, 0600); // §1.2: mode & 0700 when the switch runs as root
            // the answer: the 110-byte sockaddr_un of our data socket
            if (C.send(h.fd, addr.address(), ANSWER, LibC.MSG_DONTWAIT | LibC.MSG_NOSIGNAL) != ANSWER) {
                C.unlink(ours);
                throw new IOException("answer not sent");
            }
            externals.add(new External(h.fd, dataFd, plug, ours, descr));
        } catch (IOException | RuntimeException e) {
            // vde_switch closes the control connection without an answer on every refusal but one (see class doc).
            // RuntimeException: a malformed request (sun_path filling all 108 bytes, §1.2) or a DIR/NNN.F
            // too long for sun_path makes sockaddr() throw: refuse this client, do not end the I/O thread.
            if (plug != null) plug.close();
            if (dataFd >= 0) C.close(dataFd);
            C.close(h.fd);
        }
    }

    /** Datagrams from a client: one frame each (§1.4), forwarded on this thread. */
    private void receive(External x) {
        VdeOptions o = VdeOptions.defaults();
        for (int i = 0; i < BATCH; i++) {
            long n = C.recv(x.dataFd, io.address(), AbstractPlug.MAX_FRAME + 1, LibC.MSG_DONTWAIT);
            if (n < 0) return;
            if (n < AbstractPlug.MIN_FRAME) { // §1.4: the switch drops frames < 14 bytes
                x.plug.stats().dropped(DropReason.RUNT);
                continue;
            }
            if (n > AbstractPlug.MAX_FRAME) {
                x.plug.stats().dropped(DropReason.OVERSIZE);
                continue;
            }
            int len = (int) n;
            ByteBuf f = o.allocator().directBuffer(len, len);
            if (f.hasMemoryAddress()) {
                PlatformDependent.copyMemory(io.address(), f.memoryAddress() + f.writerIndex(), len);
                f.writerIndex(f.writerIndex() + len);
            } else {
                byte[] tmp = new byte[len];
                io.getBytes(0, tmp, len);
                f.writeBytes(tmp);
            }
            x.plug.write(f);
        }
    }

    /** §1.5: the endpoint lives exactly as long as its control stream. */
    private void free(External x) {
        externals.remove(x);
        if (x.backlog != null) x.backlog.release();
        x.backlog = null;
        x.plug.close();
        C.close(x.dataFd);
        C.close(x.ctlFd);
        C.unlink(x.path);
    }

    /** External ports (for tests and diagnostics): "port description" lines. I/O thread data, racy. */
    public List<String> endpoints() {
        List<String> out = new ArrayList<>();
        for (Object o : externals.toArray()) {
            External x = (External) o;
            out.add(x.plug.port() + " " + x.description);
        }
        return out;
    }

    /** The poller's view of all our descriptors, as one pseudo-plug. I/O thread only. */
    private final class Fds extends AbstractPlug {
        Fds() {
            super(new io.ioth.vde.Vnl.Embedded("ctl", false), VdeOptions.defaults());
        }

        @Override
        public void pollFds(PollSet set) {
            set.add(this, listenFd, LibC.POLLIN);
            for (Handshake h : handshakes) set.add(this, h.fd, LibC.POLLIN);
            for (External x : externals) {
                set.add(this, x.ctlFd, LibC.POLLIN);
                set.add(this, x.dataFd, (short) (LibC.POLLIN | (x.backlog != null ? LibC.POLLOUT : 0)));
            }
        }

        @Override
        public void pollEvents(int fd, int revents) {
            if (fd == listenFd) {
                accept();
                return;
            }
            for (int i = 0; i < handshakes.size(); i++) {
                if (handshakes.get(i).fd == fd) {
                    handshake(handshakes.get(i));
                    return;
                }
            }
            for (int i = 0; i < externals.size(); i++) {
                External x = externals.get(i);
                if (x.ctlFd == fd) {
                    // vde-protocol.md §1.2: nothing else is ever sent on the control stream; EOF frees the port
                    long n = C.recv(fd, io.address(), REQUEST_MAX, LibC.MSG_DONTWAIT);
                    if (n == 0 || (n < 0 && LibC.errno() != LibC.EAGAIN)) free(x);
                    return;
                }
                if (x.dataFd == fd) {
                    if ((revents & LibC.POLLIN) != 0) receive(x);
                    return; // POLLOUT: serviceOutbound retries the backlog
                }
            }
        }

        @Override
        public boolean readyNow() {
            for (int i = 0; i < externals.size(); i++) {
                External x = externals.get(i);
                if (x.backlog == null && x.plug.readyNow()) return true;
            }
            return false;
        }

        @Override
        public int read(FrameHandler handler, int maxFrames) { return 0; }

        @Override
        public boolean write(ByteBuf frame) {
            frame.release();
            return false;
        }

        @Override
        public void flush() {}

        @Override
        public boolean isConnected() { return true; }

        @Override
        public void close() {}
    }
}

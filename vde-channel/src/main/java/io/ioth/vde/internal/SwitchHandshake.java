package io.ioth.vde.internal;

import io.ioth.vde.Vnl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One attempt to join a vde_switch port (vde-protocol.md §1.2), as a non-blocking state machine:
 * {@link #begin} connects the control stream, binds our datagram socket and sends the request;
 * {@link #poll} reads the 110-byte answer as it arrives; on completion the data socket is connected
 * to the switch's port socket and our own socket file is unlinked (as libvdeplug does).
 * The caller owns the deadline. Used blocking by {@link SwitchPlug#open} and non-blocking on reconnect.
 */
final class SwitchHandshake implements AutoCloseable {
    private static final LibC C = LibC.INSTANCE;
    // vde-protocol.md §1.2 request layout; include/vde.h
    static final int MAGIC = 0xFEEDFACE, VERSION = 3;
    static final int REQ_NEW_CONTROL = 0, REQ_NEW_PORT0 = 1;
    static final int SUN_PATH_LEN = 108, SOCKADDR_UN_LEN = 110, REQUEST_HEAD = 122;
    /** The switch read()s the request once, into 256 bytes (§1.2); libvdeplug caps descriptions at MAXDESCR-1. */
    static final int MAX_REQUEST = 256, MAX_DESCRIPTION = 127;
    static final int EADDRINUSE = 98;
    /** libvdeplug's client socket name: DIR/.%05d-%05d (pid, counter), §1.1. */
    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** libvdeplug's fall-back directories when DIR is not writable (§1.1). */
    private static final String[] FALLBACK_DIRS = {"/var/run", "/var/tmp", "/tmp"};

    private final Vnl.Switch vnl;
    private final String description;
    private final int receiveBufferSize;
    private final NativeMemory addr = new NativeMemory(SOCKADDR_UN_LEN);
    private final NativeMemory answer = new NativeMemory(SOCKADDR_UN_LEN);
    private final NativeMemory request = new NativeMemory(MAX_REQUEST);
    private int ctlFd = -1, dataFd = -1, answerLen;
    private String clientPath, ctlPath, portPath;
    private boolean done;

    SwitchHandshake(Vnl.Switch vnl, String description, int receiveBufferSize) {
        this.vnl = vnl;
        this.description = description;
        this.receiveBufferSize = receiveBufferSize;
    }

    /** §1.3/§4: ANY_PORT → type 0 (lowest free port), 0 → REQ_NEW_PORT0, N → N<<8. */
    static int requestType(int port) {
        if (port == Vnl.Switch.ANY_PORT) return REQ_NEW_CONTROL;
        if (port == 0) return REQ_NEW_PORT0;
        if (port < 0 || port > 0xffffff) throw new IllegalArgumentException("port out of range: " + port);
        return REQ_NEW_CONTROL | port << 8;
    }

    /** The request bytes exactly as sent (§1.2): little-endian ints, 108-byte path, description without NUL. */
    static byte[] request(String clientPath, int type, String description) {
        byte[] path = clientPath.getBytes(StandardCharsets.UTF_8);
        if (path.length >= SUN_PATH_LEN) throw new IllegalArgumentException("socket path too long: " + clientPath);
        byte[] d = description.getBytes(StandardCharsets.UTF_8);
        int dl = Math.min(d.length, MAX_DESCRIPTION);
        byte[] r = new byte[REQUEST_HEAD + dl];
        putIntLE(r, 0, MAGIC);
        putIntLE(r, 4, VERSION);
        putIntLE(r, 8, type);
        r[12] = LibC.AF_UNIX; // sun_family, host order u16
        r[13] = 0;
        System.arraycopy(path, 0, r, 14, path.length);
        System.arraycopy(d, 0, r, REQUEST_HEAD, dl);
        return r;
    }

    private static void putIntLE(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    /**
     * Connects the control stream, binds the data socket and sends the request, without blocking.
     *
     * @throws IOException if there is no switch, or our socket cannot be made
     */
    void begin() throws IOException {
        int type = requestType(vnl.port());
        ctlPath = vnl.dir() + "/ctl";
        if (vnl.portgroup() != null) {
            // §4: a non-numeric port is first tried as a socket in DIR, then DIR/ctl with any port
            try {
                ctlFd = connectStream(vnl.dir() + "/" + vnl.portgroup());
                ctlPath = vnl.dir() + "/" + vnl.portgroup();
            } catch (IOException e) {
                type = REQ_NEW_CONTROL;
            }
        }
        if (ctlFd < 0) ctlFd = connectStream(ctlPath);
        dataFd = C.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (dataFd < 0) throw new IOException("socket(AF_UNIX, SOCK_DGRAM): " + LibC.describe(LibC.errno()));
        bindClient();
        if (receiveBufferSize > 0) {
            NativeMemory v = new NativeMemory(4);
            try {
                v.putInt(0, receiveBufferSize);
                C.setsockopt(dataFd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, v.address(), 4);
            } finally {
                v.close();
            }
        }
        byte[] req = request(clientPath, type, description);
        request.putBytes(0, req);
        // §1.2/§6.3: the request must arrive in ONE read of the switch: one send, <= 256 bytes
        long n = C.send(ctlFd, request.address(), req.length, LibC.MSG_DONTWAIT | LibC.MSG_NOSIGNAL);
        if (n != req.length) {
            int e = n < 0 ? LibC.errno() : 0;
            throw new IOException("cannot send the request to " + ctlPath + ": "
                    + (n < 0 ? LibC.describe(e) : "short write " + n));
        }
    }

    private int connectStream(String path) throws IOException {
        int fd = C.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) throw new IOException("socket(AF_UNIX, SOCK_STREAM): " + LibC.describe(LibC.errno()));
        sockaddr(path);
        // AF_UNIX stream connects complete at once (EAGAIN only when the listen backlog is full)
        if (C.connect(fd, addr.address(), SOCKADDR_UN_LEN) != 0) {
            int e = LibC.errno();
            C.close(fd);
            throw new IOException("no vde_switch at " + path + ": " + LibC.describe(e));
        }
        return fd;
    }

    private void bindClient() throws IOException {
        int pid = C.getpid();
        IOException first = null;
        String[] dirs = new String[FALLBACK_DIRS.length + 1];
        dirs[0] = vnl.dir();
        System.arraycopy(FALLBACK_DIRS, 0, dirs, 1, FALLBACK_DIRS.length);
        for (int d = 0; d < dirs.length; d++) {
            for (int tries = 0; tries < 1000; tries++) {
                String path = String.format(d == 0 ? "%s/.%05d-%05d" : "%s/vde.%05d-%05d", dirs[d], pid,
                        COUNTER.getAndIncrement() % 100000);
                if (path.getBytes(StandardCharsets.UTF_8).length >= SUN_PATH_LEN) {
                    if (first == null) first = new IOException("socket path too long: " + path);
                    break;
                }
                sockaddr(path);
                if (C.bind(dataFd, addr.address(), SOCKADDR_UN_LEN) == 0) {
                    clientPath = path;
                    setPermissions();
                    return;
                }
                int e = LibC.errno();
                if (e == EADDRINUSE) continue; // a stale file of an earlier process with our pid
                if (first == null) first = new IOException("bind " + path + ": " + LibC.describe(e));
                break;
            }
        }
        throw first != null ? first : new IOException("no free client socket name");
    }

    /** libvdeplug: chmod 0700 by default; mode= and group= override (§6.7). */
    private void setPermissions() throws IOException {
        int mode = vnl.mode() >= 0 ? vnl.mode() : 0700;
        if (C.chmod(clientPath, mode) != 0) {
            throw new IOException("chmod " + Integer.toOctalString(mode) + " " + clientPath + ": "
                    + LibC.describe(LibC.errno()));
        }
        if (vnl.group() != null) {
            Path p = Path.of(clientPath);
            GroupPrincipal g = p.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName(vnl.group());
            Files.getFileAttributeView(p, PosixFileAttributeView.class).setGroup(g);
        }
    }

    private void sockaddr(String path) throws IOException {
        byte[] b = path.getBytes(StandardCharsets.UTF_8);
        if (b.length >= SUN_PATH_LEN) throw new IOException("socket path too long (max 107 bytes): " + path);
        addr.clear();
        addr.putShort(0, (short) LibC.AF_UNIX);
        addr.putBytes(2, b);
    }

    int controlFd() { return ctlFd; }

    /**
     * Reads what has arrived of the answer, without blocking. On the full 110 bytes, connects the
     * data socket to the port socket they name and unlinks our socket file.
     *
     * @return true when the port is joined
     * @throws IOException if the switch closed the control stream (request rejected) or the answer is bad
     */
    boolean poll() throws IOException {
        if (done) return true;
        while (answerLen < SOCKADDR_UN_LEN) {
            long n = C.recv(ctlFd, answer.address() + answerLen, SOCKADDR_UN_LEN - answerLen, LibC.MSG_DONTWAIT);
            if (n == 0) throw new IOException("vde_switch at " + vnl.dir() + " closed the connection: request rejected");
            if (n < 0) {
                int e = LibC.errno();
                if (e == LibC.EAGAIN || e == LibC.EINTR) return false;
                throw new IOException("reading the answer of " + ctlPath + ": " + LibC.describe(e));
            }
            answerLen += (int) n;
        }
        if (answer.getShort(0) != LibC.AF_UNIX) {
            throw new IOException("vde_switch at " + vnl.dir() + " answered a non-AF_UNIX address: family "
                    + answer.getShort(0));
        }
        portPath = answer.getCString(2, SUN_PATH_LEN);
        // §1.2 step 5: connect the data socket to the switch's port socket, then drop our file
        if (C.connect(dataFd, answer.address(), SOCKADDR_UN_LEN) != 0) {
            throw new IOException("connect to " + portPath + ": " + LibC.describe(LibC.errno()));
        }
        C.unlink(clientPath);
        clientPath = null;
        done = true;
        return true;
    }

    /** The switch's socket for our port (e.g. {@code DIR/001.6}), once joined. */
    String portPath() { return portPath; }

    /** Hands the two descriptors over to the caller (the handshake then owns nothing). */
    int[] takeFds() {
        if (!done) throw new IllegalStateException("handshake not complete");
        int[] fds = {ctlFd, dataFd};
        ctlFd = -1;
        dataFd = -1;
        return fds;
    }

    /** Abandons the attempt: closes whatever it opened and removes our socket file. Idempotent. */
    @Override
    public void close() {
        if (ctlFd >= 0) C.close(ctlFd);
        if (dataFd >= 0) C.close(dataFd);
        ctlFd = dataFd = -1;
        if (clientPath != null) C.unlink(clientPath);
        clientPath = null;
        addr.close();
        answer.close();
        request.close();
    }
}

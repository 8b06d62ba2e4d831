package io.ioth.vde.internal;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * The few libc calls the wire needs, bound with jnr-ffi. Pointers are passed as raw {@code long}
 * addresses (pooled direct ByteBufs and {@link NativeMemory}) so that the hot path allocates
 * nothing. Linux only: the constants below are Linux's (x86-64 and arm64 agree on all of them).
 */
public interface LibC {

    int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
    int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8;
    int IPPROTO_IP = 0, IPPROTO_IPV6 = 41;
    int IP_TTL = 2, IP_PKTINFO = 8, IP_MULTICAST_IF = 32, IP_MULTICAST_TTL = 33, IP_MULTICAST_LOOP = 34,
            IP_ADD_MEMBERSHIP = 35;
    int IPV6_UNICAST_HOPS = 16, IPV6_MULTICAST_IF = 17, IPV6_MULTICAST_HOPS = 18, IPV6_MULTICAST_LOOP = 19,
            IPV6_JOIN_GROUP = 20, IPV6_V6ONLY = 26;
    int MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;
    int MSG_TRUNC = 0x20; // recv: return the datagram's real length even if it was cut (udp(7))
    short POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 0x10, POLLNVAL = 0x20;
    int EINTR = 4, EAGAIN = 11, ENOBUFS = 105, ECONNREFUSED = 111, EINPROGRESS = 115, ENOENT = 2;
    int F_GETFL = 3, F_SETFL = 4, O_NONBLOCK = 0x800;

    int socket(int domain, int type, int protocol);

    int bind(int fd, long addr, int addrLen);

    int connect(int fd, long addr, int addrLen);

    int getsockname(int fd, long addr, long addrLenPtr);

    int setsockopt(int fd, int level, int name, long value, int valueLen);

    int getsockopt(int fd, int level, int name, long value, long valueLenPtr);

    long send(int fd, long buf, long len, int flags);

    long recv(int fd, long buf, long len, int flags);

    // WARNING: the two six-argument calls below reach libc with a garbage 6th argument through
    // jnr-ffi 2.2.17/jffi 1.3.13 on x86-64 (strace: sendto addrlen=-795585062 -> EINVAL; recvfrom's
    // addrlen pointer wild -> SIGSEGV). Use sendmsg/recvmsg (3 arguments) instead.
    long sendto(int fd, long buf, long len, int flags, long addr, int addrLen);

    long recvfrom(int fd, long buf, long len, int flags, long addr, long addrLenPtr);

    /** {@code msg} points at a {@code struct msghdr} (56 bytes on LP64 Linux). */
    long sendmsg(int fd, long msg, int flags);

    /** {@code msg} points at a {@code struct msghdr}; with MSG_TRUNC a UDP socket returns the datagram's real length. */
    long recvmsg(int fd, long msg, int flags);

    /** 0 if there is no such interface (in the calling thread's network namespace). */
    int if_nametoindex(String ifname);

    long read(int fd, long buf, long len);

    long write(int fd, long buf, long len);

    int close(int fd);

    int fcntl(int fd, int cmd, int arg);

    int pipe2(long fds, int flags);

    int socketpair(int domain, int type, int protocol, long fds);

    int ppoll(long fds, long nfds, long timespec, long sigmask);

    int unlink(String path);

    int chmod(String path, int mode);

    int getpid();

    String strerror(int errnum);

    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

    Runtime RUNTIME = Runtime.getRuntime(INSTANCE);

    /** errno of the last failed call on this thread. */
    static int errno() {
        return RUNTIME.getLastError();
    }

    static String describe(int errno) {
        return INSTANCE.strerror(errno) + " (errno " + errno + ")";
    }
}

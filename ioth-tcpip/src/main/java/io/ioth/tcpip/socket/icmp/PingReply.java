package io.ioth.tcpip.socket.icmp;

import io.ioth.tcpip.iface.IpAddr;

/**
 * One result of a {@link PingSocket}: an echo reply, or an ICMP error about one of its requests. A mutable holder
 * the caller owns and reuses.
 *
 * <p>Not thread-safe.
 */
public final class PingReply {
    public static final int REPLY = 0;
    public static final int ERROR = 1;

    public int kind;
    public int seq;
    /** Who answered (the target, or the router reporting the error). */
    public long fromHi;
    public long fromLo;
    /** {@code now} of the reply minus {@code now} of the matching send; -1 if the send is not remembered. */
    public long rttNanos;
    /** TTL of the reply as received. */
    public int ttl;
    /** Echo data bytes received. */
    public int size;
    /** The data differs from what was sent (ping's "wrong data byte"). */
    public boolean corrupted;
    /** A second reply for the same sequence number (ping's "(DUP!)"). */
    public boolean duplicate;
    /** For {@link #ERROR}: the ICMP type and code (e.g. 3/1 host unreachable, 11/0 time exceeded). */
    public int icmpType;
    public int icmpCode;

    public boolean isReply() {
        return kind == REPLY;
    }

    /** Like ping's output line. */
    @Override
    public String toString() {
        if (kind == ERROR) {
            return "From " + IpAddr.format(fromHi, fromLo) + " icmp_seq=" + seq + " type " + icmpType + " code "
                    + icmpCode;
        }
        return size + " bytes from " + IpAddr.format(fromHi, fromLo) + ": icmp_seq=" + seq + " ttl=" + ttl
                + " time=" + (rttNanos < 0 ? "?" : String.format("%.3f ms", rttNanos / 1e6))
                + (duplicate ? " (DUP!)" : "") + (corrupted ? " (wrong data)" : "");
    }
}

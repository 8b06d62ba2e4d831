package io.ioth.tcpip.frag;

import io.ioth.tcpip.wire.Ipv4Packet;
import io.ioth.tcpip.wire.Ipv6ExtHeaders;
import io.ioth.tcpip.wire.Ipv6FragmentChain;
import io.ioth.tcpip.wire.Ipv6FragmentHeader;
import io.ioth.tcpip.wire.Ipv6Packet;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Receive-side reassembly of IPv4 (RFC 791 §3.2, RFC 815) and IPv6 (RFC 8200 §4.5) fragments, one instance per
 * stack serving both families.
 *
 * <p><b>Keys</b> are (source, destination, protocol, Identification) for IPv4 (RFC 791 §2.3) and (source,
 * destination, Identification) for IPv6 (RFC 8200 §4.5). Each datagram in progress keeps its fragments in a list
 * sorted by offset; since overlaps are refused (below), the fragments are disjoint and the datagram is complete when
 * the last fragment has arrived and the bytes received equal its end - the hole list of RFC 815 reduced to a count.
 *
 * <p><b>What is refused</b>, each counted under its own {@link Counter}:
 * <ul>
 *   <li>an <em>overlapping</em> fragment drops the whole datagram: RFC 5722 §4 as amended by erratum 3089 for IPv6
 *       ("the entire datagram (and any constituent fragments) MUST be silently discarded"), and for IPv4 too, as
 *       Linux does ({@code ip_frag_queue}: "We do the same here for IPv4"; today {@code inet_frag_queue_insert}
 *       returns {@code IPFRAG_OVERLAP} for both families). An <em>identical duplicate</em> (same range, same bytes)
 *       is ignored and the datagram kept (Linux: "Duplicates, however, should be ignored", {@code IPFRAG_DUP});
 *       stricter than Linux, a fragment inside another one, or a same-range fragment with other bytes, counts as
 *       an overlap;</li>
 *   <li>a non-last fragment whose data length is not a multiple of 8 (RFC 8200 §4.5; IPv4 senders always comply,
 *       RFC 791 §3.2 - Linux trims instead, we drop);</li>
 *   <li>a fragment that would make the datagram longer than 65535 octets (RFC 8200 §4.5; RFC 791 Total Length);</li>
 *   <li>a last fragment whose end disagrees with an earlier last fragment, or data beyond the end: the datagram is
 *       dropped (Linux {@code ip_frag_queue}: "discard_qp");</li>
 *   <li>an IPv6 first fragment without the whole header chain and upper-layer header (RFC 7112 §5);</li>
 *   <li>more than {@link Config#maxFragmentsPerDatagram} fragments (bounds the per-datagram work);</li>
 *   <li>ECN codepoints that RFC 3168 §5.3 forbids mixing (Linux {@code ip_frag_ecn_table}).</li>
 * </ul>
 * An IPv6 <em>atomic fragment</em> (offset 0, M = 0) is processed in isolation and returned at once (RFC 6946 §4).
 *
 * <p><b>Limits.</b> Each datagram times out {@link Config#timeoutV4Nanos} / {@link Config#timeoutV6Nanos} after its
 * first fragment arrived (Linux {@code ipfrag_time} 30 s; RFC 8200 §4.5 60 s; RFC 791 suggested 15 s). On timeout,
 * if the fragment with offset 0 had arrived, the {@link Listener} is asked to send ICMP Time Exceeded code 1
 * ("fragment reassembly time exceeded", RFC 792; RFC 4443 §3.3 and RFC 8200 §4.5 for IPv6); RFC 792: "If fragment
 * zero is not available then no time exceeded need be sent at all". The bytes held across all datagrams stay at or
 * below {@link Config#memoryCapBytes} (Linux {@code ipfrag_high_thresh}, 4 MiB), and the number of datagrams at or
 * below {@link Config#maxDatagrams}; when a new fragment would pass either, the oldest datagrams are evicted
 * without ICMP (Linux before 4.17 evicted the oldest queues the same way, {@code inet_frag_evictor}; later kernels
 * refuse new fragments instead). A fragment is charged the capacity of the buffer it arrived in, plus
 * {@link #FRAGMENT_OVERHEAD} for bookkeeping (Linux charges {@code skb->truesize}).
 *
 * <p><b>Buffers.</b> Fragments are not copied on arrival: the reassembler {@link ByteBuf#retain() retains} the
 * caller's buffer (the caller keeps and releases its own reference, and must not write to those bytes afterwards).
 * On completion the datagram is copied once into a new pooled buffer that is returned to the caller: the first
 * fragment's header with Total Length / Payload Length corrected, no fragment fields and no Fragment header, then the
 * data - upper layers parse it like any packet. Every retained buffer is released on completion, drop, timeout,
 * eviction and {@link #close()}.
 *
 * <p><b>Time</b> is an argument: {@link #poll(long)} expires datagrams, {@link #nextDeadline(long)} says when to
 * call it; the reassembler never reads a clock. Timestamps must come from one monotonic source.
 *
 * <p><b>Note:</b> Not threadsafe: one reassembler belongs to one event-loop thread. The {@link Listener} must not
 * call back into the reassembler (that throws {@link IllegalStateException}): a stack whose loopback delivers
 * synchronously must queue what the listener sends. Storage (the datagram table included) is allocated with the
 * first fragment, grows by doubling to the high-water mark of concurrent datagrams and fragments and is then reused:
 * no allocation per fragment besides the reassembled output (and a derived buffer on the ICMP paths). A stack that
 * never receives a fragment keeps a few hundred bytes here.
 */
public final class Reassembler implements AutoCloseable {

    public static final int FAMILY_IPV4 = 4;
    public static final int FAMILY_IPV6 = 6;
    /** Returned by {@link #nextDeadline} when nothing is pending. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    /** Datagrams expired per {@link #poll} call at most (bounded work, style.md §3.4). */
    public static final int POLL_LIMIT = 64;
    /** Bytes charged per held fragment on top of its buffer's capacity (our per-fragment bookkeeping). */
    public static final int FRAGMENT_OVERHEAD = 64;

    /** ICMPv6 Parameter Problem codes used here (RFC 4443 §3.4, RFC 7112 §5). */
    public static final int PARAM_PROBLEM_HEADER_FIELD = 0;
    public static final int PARAM_PROBLEM_INCOMPLETE_CHAIN = 3;

    /** Per-reason counters (gVisor style: one before each early return). */
    public enum Counter {
        /** Fragments offered (RFC 2011 {@code ipReasmReqds}), atomic fragments included. */
        FRAGMENTS,
        /** Datagrams reassembled and returned (RFC 2011 {@code ipReasmOKs}). */
        REASSEMBLED,
        /** IPv6 atomic fragments returned in isolation (RFC 6946). */
        ATOMIC,
        /** Identical duplicate fragment ignored; its datagram is kept. */
        DUPLICATE,
        /** Overlapping fragment: the whole datagram was dropped (RFC 5722). */
        OVERLAP,
        /** Non-last fragment with a data length that is not a multiple of 8 (RFC 8200 §4.5): fragment dropped. */
        BAD_LENGTH,
        /** Reassembled datagram would exceed 65535 octets: fragment dropped. */
        TOO_BIG,
        /** Fragment with no data: dropped (Linux does the same). */
        EMPTY,
        /** Last-fragment end inconsistent with another fragment: the whole datagram was dropped. */
        INCONSISTENT_END,
        /** IPv6 first fragment without the full header chain (RFC 7112 §5): fragment dropped. */
        INCOMPLETE_CHAIN,
        /** Datagram reached {@link Config#maxFragmentsPerDatagram}: the whole datagram was dropped. */
        TOO_MANY_FRAGMENTS,
        /** Forbidden mix of ECN codepoints (RFC 3168 §5.3): the complete datagram was dropped. */
        ECN_INVALID,
        /** Header that does not parse (lengths, version, extension chain): fragment dropped. */
        MALFORMED,
        /** Datagram timed out. */
        TIMED_OUT,
        /** ... of which fragment zero was present: the listener was asked for ICMP Time Exceeded code 1. */
        TIME_EXCEEDED,
        /** Oldest datagram evicted to stay within {@link Config#memoryCapBytes}. */
        EVICTED_MEMORY,
        /** Oldest datagram evicted to stay within {@link Config#maxDatagrams}. */
        EVICTED_LIMIT,
        /** A fragment could not fit the memory cap even alone: its datagram was dropped. */
        MEMORY_DROP,
        /** Datagrams released by {@link #close()}. */
        CLOSED,
        /** Fragment buffers released without completing a datagram (drops, timeouts, evictions, close). */
        FRAGMENTS_DISCARDED,
    }

    /**
     * What the reassembler asks its stack to send. Buffers passed in are borrowed for the call only. Called on the
     * reassembler's thread; must not call the reassembler.
     */
    public interface Listener {
        /**
         * A datagram timed out after its fragment zero had arrived: send ICMP Time Exceeded code 1 (RFC 792 for
         * IPv4; RFC 4443 §3.3, RFC 8200 §4.5 for IPv6), quoting {@code firstFragment}.
         *
         * @param family        {@link #FAMILY_IPV4} or {@link #FAMILY_IPV6}
         * @param firstFragment the IP packet of fragment zero as received (readable bytes, from its IP header);
         *                      valid during the call only - {@code retain()} or copy it to keep it
         */
        void reassemblyTimedOut(int family, ByteBuf firstFragment, long nowNanos);

        /**
         * An IPv6 fragment was refused in a way RFC 8200 §4.5 / RFC 7112 §5 answers with ICMPv6 Parameter Problem:
         * code 0 pointing at Payload Length (length not a multiple of 8) or at Fragment Offset (beyond 65535), or
         * code 3 pointer 0 (first fragment without the full header chain).
         *
         * @param fragment the offending IPv6 packet (readable bytes); valid during the call only
         * @param pointer  octet offset of the faulty field from the start of the IPv6 header (RFC 4443 §3.4)
         */
        void parameterProblem(ByteBuf fragment, int code, int pointer, long nowNanos);

        /** Sends nothing. */
        Listener NONE = new Listener() {
            @Override
            public void reassemblyTimedOut(int family, ByteBuf firstFragment, long nowNanos) {
            }

            @Override
            public void parameterProblem(ByteBuf fragment, int code, int pointer, long nowNanos) {
            }
        };
    }

    /** Limits; read once by the constructor. Mutable, not thread-safe. */
    public static final class Config {
        /** IPv4 reassembly timeout: Linux {@code net.ipv4.ipfrag_time} = 30 s (RFC 791 suggested 15 s). */
        public long timeoutV4Nanos = 30_000_000_000L;
        /** IPv6 reassembly timeout: RFC 8200 §4.5 "within 60 seconds of the reception of the first-arriving
         * fragment" (Linux {@code net.ipv6.ip6frag_time} = 60 s). */
        public long timeoutV6Nanos = 60_000_000_000L;
        /** Bytes held across all datagrams: Linux {@code ipfrag_high_thresh} = 4 MiB. */
        public long memoryCapBytes = 4L << 20;
        /** Datagrams in progress at once. */
        public int maxDatagrams = 1024;
        /** Fragments per datagram: 128 lets a 64 KiB datagram through a 576-octet MTU path (119 fragments). */
        public int maxFragmentsPerDatagram = 128;
    }

    private static final int NONE = -1;
    /** Datagram and fragment slots allocated with the first fragment; doubled on demand up to the limits. */
    private static final int INITIAL_DATAGRAMS = 4;
    private static final int INITIAL_FRAGMENTS = 16;
    private static final int[] FAMILIES = {FAMILY_IPV4, FAMILY_IPV6};

    /**
     * RFC 3168 §5.3, Linux {@code ip_frag_ecn_table}: indexed by the OR of {@code 1 << ecn} over all fragments;
     * 0xff = drop, otherwise bits to OR into the reassembled header's ECN field.
     */
    private static final byte[] ECN_TABLE = new byte[16];

    static {
        final int notEct = 1, ect1 = 2, ect0 = 4, ce = 8;
        ECN_TABLE[ce | ect0] = 3;
        ECN_TABLE[ce | ect1] = 3;
        ECN_TABLE[ce | ect0 | ect1] = 3;
        for (int m = 0; m < 16; m++) {
            if ((m & notEct) != 0 && m != notEct) {
                ECN_TABLE[m] = (byte) 0xff;
            }
        }
    }

    private final ByteBufAllocator alloc;
    private final Listener listener;
    private final long timeoutV4;
    private final long timeoutV6;
    private final long memoryCap;
    private final int maxDatagrams;
    private final int maxFrags;
    private final int maxFragmentSlots;
    private final long hashK0;
    private final long hashK1;
    private final io.ioth.tcpip.storage.SipHash sip = new io.ioth.tcpip.storage.SipHash();

    // open-addressing hash table: datagram index + 1, 0 = empty; at least twice the datagram slots (load <= 1/2),
    // resized with them
    private int[] table = new int[2];
    private int tableMask = 1;

    // datagrams (parallel arrays, grown to the high-water mark)
    private byte[] dFamily;
    private long[] dK0;
    private long[] dK1;
    private long[] dK2;
    private long[] dK3;
    private int[] dIdent;
    private int[] dProto;
    private int[] dHash;
    private long[] dCreated;
    private long[] dDeadline;
    /** Data length once the last fragment (MF = 0) has arrived, else -1. */
    private int[] dEnd;
    private int[] dMaxEnd;
    private int[] dReceived;
    private int[] dHead;
    private int[] dTail;
    private int[] dCount;
    private long[] dCharge;
    private int[] dEcn;
    /** From fragment zero: bytes before the data (IPv4 header / IPv6 Per-Fragment headers, Fragment header not
     * included), index of the Next Header field naming the Fragment header (IPv6), and the Fragment header's
     * Next Header (IPv6) or DF (IPv4). */
    private int[] dHdrLen;
    private int[] dNhRel;
    private int[] dNextHeader;
    /** Age list per family (oldest first; also the free list through dNext). */
    private int[] dNext;
    private int[] dPrev;
    private int dFree = NONE;
    private int dHighWater;
    private final int[] listHead = {NONE, NONE};
    private final int[] listTail = {NONE, NONE};
    private int datagrams;

    // fragments
    private ByteBuf[] fBuf;
    private int[] fIp;
    private int[] fIpLen;
    private int[] fData;
    private int[] fStart;
    private int[] fEnd;
    private int[] fNext;
    private int[] fCharge;
    private int fFree = NONE;
    private int fHighWater;

    private long held;
    private final long[] counters = new long[Counter.values().length];
    private boolean closed;
    private boolean inListener;

    private final Ipv4Packet v4 = new Ipv4Packet();
    private final Ipv6Packet v6 = new Ipv6Packet();
    private final Ipv6FragmentChain chain = new Ipv6FragmentChain();
    private final Ipv6FragmentHeader fragHeader = new Ipv6FragmentHeader();
    private final Ipv6ExtHeaders ext = new Ipv6ExtHeaders();

    // the fragment being added (single-threaded staging instead of a 15-argument method)
    private int cFamily;
    private long cK0;
    private long cK1;
    private long cK2;
    private long cK3;
    private int cIdent;
    private int cProto;
    private int cStart;
    private int cEnd;
    private boolean cMore;
    private ByteBuf cBuf;
    private int cIp;
    private int cIpLen;
    private int cData;
    private int cHdrLen;
    private int cNhRel;
    private int cNextHeader;
    private int cEcnBit;

    /**
     * @param alloc    where reassembled datagrams are allocated (pooled direct)
     * @param listener receives ICMP requests; {@link Listener#NONE} to send none
     * @param config   limits (copied)
     * @param random   seeds the keyed hash of the datagram table (hash-flooding resistance, as Linux's random
     *                 {@code jhash}/{@code siphash} keys)
     */
    public Reassembler(ByteBufAllocator alloc, Listener listener, Config config, RandomGenerator random) {
        if (config.timeoutV4Nanos <= 0 || config.timeoutV6Nanos <= 0) {
            throw new IllegalArgumentException("timeouts must be > 0");
        }
        if (config.memoryCapBytes <= 0) {
            throw new IllegalArgumentException("memoryCapBytes must be > 0: " + config.memoryCapBytes);
        }
        if (config.maxDatagrams < 1 || config.maxDatagrams > (1 << 20)) {
            throw new IllegalArgumentException("maxDatagrams must be 1..2^20: " + config.maxDatagrams);
        }
        if (config.maxFragmentsPerDatagram < 2 || config.maxFragmentsPerDatagram > 8192) {
            throw new IllegalArgumentException("maxFragmentsPerDatagram must be 2..8192: "
                    + config.maxFragmentsPerDatagram);
        }
        this.alloc = alloc;
        this.listener = listener;
        this.timeoutV4 = config.timeoutV4Nanos;
        this.timeoutV6 = config.timeoutV6Nanos;
        this.memoryCap = config.memoryCapBytes;
        this.maxDatagrams = config.maxDatagrams;
        this.maxFrags = config.maxFragmentsPerDatagram;
        this.maxFragmentSlots = (int) Math.min(Integer.MAX_VALUE - 8,
                (long) config.maxDatagrams * config.maxFragmentsPerDatagram);
        this.hashK0 = random.nextLong();
        this.hashK1 = random.nextLong();
        // datagram and fragment storage: allocated with the first fragment (create / newFragment)
    }

    /** A reassembler with the default {@link Config}. */
    public Reassembler(ByteBufAllocator alloc, Listener listener, RandomGenerator random) {
        this(alloc, listener, new Config(), random);
    }

    // ------------------------------------------------------------------------------------------------ input

    /**
     * Offers an IPv4 fragment: {@code buf[offset, offset+length)} is an IPv4 packet that passed
     * {@code Ipv4Repr.parse} (checksum verified) and has MF set or a non-zero offset. The buffer is borrowed: what
     * the reassembler keeps it retains.
     *
     * @return the reassembled datagram (the caller owns it and must release it), or {@code null} if it is not
     *         complete yet or the fragment was dropped (see {@link #counter})
     * @throws IllegalArgumentException if the packet is not a fragment (API misuse)
     */
    public ByteBuf acceptV4(ByteBuf buf, int offset, int length, long nowNanos) {
        checkOpen();
        counters[Counter.FRAGMENTS.ordinal()]++;
        if (!v4.wrapChecked(buf, offset, length).ok() || v4.version() != 4) {
            return drop(Counter.MALFORMED);
        }
        if (!v4.isFragment()) {
            throw new IllegalArgumentException("not an IPv4 fragment (MF = 0, offset = 0)");
        }
        int hl = v4.headerLen();
        int dataLen = v4.totalLen() - hl;
        int start = v4.fragOffset();
        boolean more = v4.moreFrags();
        if (dataLen == 0) {
            return drop(Counter.EMPTY);
        }
        if (more && (dataLen & 7) != 0) {
            return drop(Counter.BAD_LENGTH);
        }
        if (hl + start + dataLen > 0xffff) {
            return drop(Counter.TOO_BIG); // the "ping of death": Total Length is 16 bits (RFC 791 §3.1)
        }
        cFamily = FAMILY_IPV4;
        cK0 = 0;
        cK1 = v4.src() & 0xffffffffL;
        cK2 = 0;
        cK3 = v4.dst() & 0xffffffffL;
        cIdent = v4.ident();
        cProto = v4.protocol();
        cStart = start;
        cEnd = start + dataLen;
        cMore = more;
        cBuf = buf;
        cIp = offset;
        cIpLen = v4.totalLen();
        cData = v4.payloadOffset();
        cHdrLen = hl;
        cNhRel = NONE;
        cNextHeader = v4.dontFrag() ? 1 : 0;
        cEcnBit = 1 << v4.ecn();
        return add(nowNanos);
    }

    /**
     * Offers an IPv6 packet that carries a Fragment header: {@code buf[offset, offset+length)}, which passed
     * {@code Ipv6Repr.parse}. The buffer is borrowed: what the reassembler keeps it retains.
     *
     * @return the reassembled packet (the caller owns it and must release it), or {@code null} if it is not
     *         complete yet or the fragment was dropped (see {@link #counter})
     * @throws IllegalArgumentException if the packet has no Fragment header (API misuse)
     */
    public ByteBuf acceptV6(ByteBuf buf, int offset, int length, long nowNanos) {
        checkOpen();
        counters[Counter.FRAGMENTS.ordinal()]++;
        if (!v6.wrapChecked(buf, offset, length).ok() || v6.version() != 6) {
            return drop(Counter.MALFORMED);
        }
        WireError e = chain.walk(v6);
        if (!e.ok()) {
            return drop(Counter.MALFORMED);
        }
        if (!chain.hasFragmentHeader()) {
            throw new IllegalArgumentException("no IPv6 Fragment header");
        }
        Ipv6FragmentHeader fh = fragHeader.wrap(buf, chain.fragmentHeaderOffset, Ipv6FragmentHeader.HEADER_LEN);
        int ipLen = Ipv6Packet.HEADER_LEN + v6.payloadLen();
        int data = chain.fragmentHeaderOffset + Ipv6FragmentHeader.HEADER_LEN;
        int dataLen = offset + ipLen - data;
        int perFragment = chain.fragmentHeaderOffset - offset; // IPv6 header + extension headers before Fragment
        int start = fh.fragOffset();
        boolean more = fh.moreFrags();
        int nhRel = chain.fragNextHeaderIndex - offset;
        if (start == 0 && !more) {
            // RFC 6946 §4: "A host that receives an IPv6 packet that includes a Fragment Header with the
            // 'Fragment Offset' equal to 0 and the 'M' flag equal to 0 MUST process such packet in isolation from
            // any other packets/fragments, even if such packets/fragments contain the same set {IPv6 Source
            // Address, IPv6 Destination Address, Fragment Identification}."
            counters[Counter.ATOMIC.ordinal()]++;
            ByteBuf out = alloc.directBuffer(perFragment + dataLen);
            out.writeBytes(buf, offset, perFragment);
            out.setByte(nhRel, fh.nextHeader());
            out.writeBytes(buf, data, dataLen);
            v6.wrap(out, 0, perFragment + dataLen).setPayloadLen(perFragment + dataLen - Ipv6Packet.HEADER_LEN);
            return out;
        }
        if (dataLen == 0) {
            return drop(Counter.EMPTY);
        }
        if (more && (dataLen & 7) != 0) {
            // RFC 8200 §4.5: "that fragment must be discarded and an ICMP Parameter Problem, Code 0, message should
            // be sent to the source of the fragment, pointing to the Payload Length field of the fragment packet."
            counters[Counter.BAD_LENGTH.ordinal()]++;
            parameterProblem(buf.slice(offset, ipLen), PARAM_PROBLEM_HEADER_FIELD, Ipv6Packet.PAYLOAD_LEN,
                    nowNanos);
            return null;
        }
        if (perFragment - Ipv6Packet.HEADER_LEN + start + dataLen > 0xffff) {
            // RFC 8200 §4.5: "... would exceed 65,535 octets, then that fragment must be discarded and an ICMP
            // Parameter Problem, Code 0, message should be sent ..., pointing to the Fragment Offset field".
            counters[Counter.TOO_BIG.ordinal()]++;
            parameterProblem(buf.slice(offset, ipLen), PARAM_PROBLEM_HEADER_FIELD, fh.fragOffsetIndex() - offset,
                    nowNanos);
            return null;
        }
        if (start == 0) {
            // RFC 7112 §5: "If the first fragment does not include all headers through an Upper-Layer header, then
            // that fragment should be discarded and an ICMP Parameter Problem, Code 3, message should be sent".
            WireError w = ext.walk(buf, data, dataLen, fh.nextHeader());
            if (w == WireError.BAD_EXT_CHAIN) {
                return drop(Counter.MALFORMED);
            }
            if (!w.ok() || ext.upperLength < Fragmenter.minUpperHeader(ext.upperProtocol)) {
                counters[Counter.INCOMPLETE_CHAIN.ordinal()]++;
                parameterProblem(buf.slice(offset, ipLen), PARAM_PROBLEM_INCOMPLETE_CHAIN, 0, nowNanos);
                return null;
            }
        }
        cFamily = FAMILY_IPV6;
        cK0 = v6.srcHi();
        cK1 = v6.srcLo();
        cK2 = v6.dstHi();
        cK3 = v6.dstLo();
        cIdent = fh.ident();
        cProto = 0; // RFC 8200 §4.5: the key is (source, destination, Identification)
        cStart = start;
        cEnd = start + dataLen;
        cMore = more;
        cBuf = buf;
        cIp = offset;
        cIpLen = ipLen;
        cData = data;
        cHdrLen = perFragment;
        cNhRel = nhRel;
        cNextHeader = fh.nextHeader();
        cEcnBit = 1 << (v6.trafficClass() & 3);
        return add(nowNanos);
    }

    /** Adds the staged fragment ({@code c*} fields) to its datagram. */
    private ByteBuf add(long now) {
        int hash = hash(cFamily, cK0, cK1, cK2, cK3, cIdent, cProto);
        int d = find(hash);
        if (d != NONE && dDeadline[d] <= now) {
            expire(d, now); // due but not polled yet: behave as if poll() had run first
            d = NONE;
        }
        if (d == NONE) {
            if (datagrams == maxDatagrams) {
                evictOldest(NONE, Counter.EVICTED_LIMIT);
            }
            d = create(hash, now);
        }
        // RFC 791 §3.2 / RFC 8200 §4.5: the last fragment fixes the length; Linux ip_frag_queue / ip6_frag_queue
        // discard the whole queue when fragments disagree about it.
        if (!cMore) {
            if ((dEnd[d] >= 0 && cEnd != dEnd[d]) || cEnd < dMaxEnd[d]) {
                return dropDatagram(d, Counter.INCONSISTENT_END);
            }
        } else if (dEnd[d] >= 0 && cEnd > dEnd[d]) {
            return dropDatagram(d, Counter.INCONSISTENT_END);
        }
        // find the place in the offset-sorted list; in-order arrival appends at the tail without a scan
        int prev;
        int next;
        int tail = dTail[d];
        if (tail == NONE || fEnd[tail] <= cStart) {
            prev = tail;
            next = NONE;
        } else {
            prev = NONE;
            next = dHead[d];
            while (next != NONE && fEnd[next] <= cStart) {
                prev = next;
                next = fNext[next];
            }
            if (next != NONE && fStart[next] < cEnd) { // intersects an existing fragment
                boolean sameRange = fStart[next] == cStart && fEnd[next] == cEnd;
                boolean sameLastness = cMore != (dEnd[d] == cEnd);
                if (sameRange && sameLastness
                        && ByteBufUtil.equals(fBuf[next], fData[next], cBuf, cData, cEnd - cStart)) {
                    counters[Counter.DUPLICATE.ordinal()]++;
                    return null;
                }
                return dropDatagram(d, Counter.OVERLAP);
            }
        }
        if (dCount[d] == maxFrags) {
            return dropDatagram(d, Counter.TOO_MANY_FRAGMENTS);
        }
        long charge = (long) cBuf.capacity() + FRAGMENT_OVERHEAD;
        while (held + charge > memoryCap && evictOldest(d, Counter.EVICTED_MEMORY)) {
            // evicted one
        }
        if (held + charge > memoryCap) {
            return dropDatagram(d, Counter.MEMORY_DROP);
        }
        int f = newFragment();
        fBuf[f] = cBuf.retain();
        fIp[f] = cIp;
        fIpLen[f] = cIpLen;
        fData[f] = cData;
        fStart[f] = cStart;
        fEnd[f] = cEnd;
        fCharge[f] = (int) charge;
        fNext[f] = next;
        if (prev == NONE) {
            dHead[d] = f;
        } else {
            fNext[prev] = f;
        }
        if (next == NONE) {
            dTail[d] = f;
        }
        dCount[d]++;
        dCharge[d] += charge;
        held += charge;
        dReceived[d] += cEnd - cStart;
        dEcn[d] |= cEcnBit;
        if (cEnd > dMaxEnd[d]) {
            dMaxEnd[d] = cEnd;
        }
        if (!cMore) {
            dEnd[d] = cEnd;
        }
        if (cStart == 0) {
            // RFC 8200 §4.5: the Per-Fragment headers and the Next Header come from the offset-zero fragment
            dHdrLen[d] = cHdrLen;
            dNhRel[d] = cNhRel;
            dNextHeader[d] = cNextHeader;
        }
        if (dEnd[d] >= 0 && dReceived[d] == dEnd[d]) {
            return complete(d); // disjoint pieces of [0, end) whose lengths sum to end cover it all
        }
        return null;
    }

    private ByteBuf complete(int d) {
        int ecn = ECN_TABLE[dEcn[d]] & 0xff;
        if (ecn == 0xff) {
            return dropDatagram(d, Counter.ECN_INVALID);
        }
        int first = dHead[d];
        int hdrLen = dHdrLen[d];
        int total = hdrLen + dEnd[d];
        ByteBuf out = alloc.directBuffer(total);
        try {
            out.writeBytes(fBuf[first], fIp[first], hdrLen);
            for (int f = first; f != NONE; f = fNext[f]) {
                out.writeBytes(fBuf[f], fData[f], fEnd[f] - fStart[f]);
            }
            if (dFamily[d] == FAMILY_IPV4) {
                Ipv4Packet p = v4.wrap(out, 0, total);
                p.setTotalLen(total);
                p.setFlagsFrag(dNextHeader[d] != 0, false, 0); // keeps fragment zero's DF, as Linux ip_frag_reasm
                p.setTos(p.tos() | ecn);
                p.fillChecksum();
            } else {
                Ipv6Packet p = v6.wrap(out, 0, total);
                out.setByte(dNhRel[d], dNextHeader[d]);
                p.setPayloadLen(total - Ipv6Packet.HEADER_LEN);
                p.setVersionTcFlow(p.trafficClass() | ecn, p.flowLabel());
            }
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        counters[Counter.REASSEMBLED.ordinal()]++;
        unlink(d);
        releaseFragments(d, false);
        freeDatagram(d);
        return out;
    }

    // ------------------------------------------------------------------------------------------------ time

    /**
     * Expires datagrams whose timeout has passed (at most {@link #POLL_LIMIT} per call), asking the listener for
     * ICMP Time Exceeded where fragment zero had arrived.
     *
     * @return the number of datagrams expired
     */
    public int poll(long nowNanos) {
        checkNotInListener();
        int n = 0;
        while (n < POLL_LIMIT) {
            int d = earliest();
            if (d == NONE || dDeadline[d] > nowNanos) {
                break;
            }
            expire(d, nowNanos);
            n++;
        }
        return n;
    }

    /**
     * When {@link #poll} should next run: the earliest datagram deadline, {@code nowNanos} if one is already due,
     * or {@link #NO_DEADLINE} if nothing is held.
     */
    public long nextDeadline(long nowNanos) {
        int d = earliest();
        if (d == NONE) {
            return NO_DEADLINE;
        }
        return Math.max(dDeadline[d], nowNanos);
    }

    private int earliest() {
        int a = listHead[0];
        int b = listHead[1];
        if (a == NONE) {
            return b;
        }
        if (b == NONE) {
            return a;
        }
        return dDeadline[a] <= dDeadline[b] ? a : b;
    }

    private void expire(int d, long now) {
        counters[Counter.TIMED_OUT.ordinal()]++;
        unlink(d);
        try {
            int first = dHead[d];
            if (first != NONE && fStart[first] == 0) {
                counters[Counter.TIME_EXCEEDED.ordinal()]++;
                inListener = true;
                try {
                    listener.reassemblyTimedOut(dFamily[d], fBuf[first].slice(fIp[first], fIpLen[first]), now);
                } finally {
                    inListener = false;
                }
            }
        } finally {
            releaseFragments(d, true);
            freeDatagram(d);
        }
    }

    // ------------------------------------------------------------------------------------------------ state

    /** Bytes charged for the fragments held now (always at most {@link Config#memoryCapBytes}). */
    public long heldBytes() {
        return held;
    }

    /** Datagrams in progress. */
    public int datagramCount() {
        return datagrams;
    }

    public long counter(Counter c) {
        return counters[c.ordinal()];
    }

    /** Releases every held fragment; idempotent. The reassembler cannot be used afterwards. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        checkNotInListener();
        closed = true;
        for (int fam = 0; fam < 2; fam++) {
            while (listHead[fam] != NONE) {
                int d = listHead[fam];
                counters[Counter.CLOSED.ordinal()]++;
                unlink(d);
                releaseFragments(d, true);
                freeDatagram(d);
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("reassembler closed");
        }
        checkNotInListener();
    }

    private void checkNotInListener() {
        if (inListener) {
            throw new IllegalStateException("Reassembler called from its own Listener");
        }
    }

    private void parameterProblem(ByteBuf fragment, int code, int pointer, long now) {
        inListener = true;
        try {
            listener.parameterProblem(fragment, code, pointer, now);
        } finally {
            inListener = false;
        }
    }

    private ByteBuf drop(Counter reason) {
        counters[reason.ordinal()]++;
        return null;
    }

    private ByteBuf dropDatagram(int d, Counter reason) {
        counters[reason.ordinal()]++;
        unlink(d);
        releaseFragments(d, true);
        freeDatagram(d);
        return null;
    }

    /**
     * Evicts the oldest datagram other than {@code keep}.
     *
     * @return false if there was none
     */
    private boolean evictOldest(int keep, Counter reason) {
        int best = NONE;
        for (int fam = 0; fam < 2; fam++) {
            int d = listHead[fam];
            if (d != NONE && d == keep) {
                d = dNext[d];
            }
            if (d != NONE && (best == NONE || dCreated[d] < dCreated[best])) {
                best = d;
            }
        }
        if (best == NONE) {
            return false;
        }
        dropDatagram(best, reason);
        return true;
    }

    private int create(int hash, long now) {
        if (dFamily == null) {
            growDatagrams(Math.min(INITIAL_DATAGRAMS, maxDatagrams));
        } else if (dFree == NONE && dHighWater == dFamily.length) {
            growDatagrams(Math.min(maxDatagrams, dFamily.length * 2));
        }
        int d;
        if (dFree != NONE) {
            d = dFree;
            dFree = dNext[d];
        } else {
            d = dHighWater++;
        }
        dFamily[d] = (byte) cFamily;
        dK0[d] = cK0;
        dK1[d] = cK1;
        dK2[d] = cK2;
        dK3[d] = cK3;
        dIdent[d] = cIdent;
        dProto[d] = cProto;
        dHash[d] = hash;
        dCreated[d] = now;
        dDeadline[d] = now + (cFamily == FAMILY_IPV4 ? timeoutV4 : timeoutV6);
        dEnd[d] = -1;
        dMaxEnd[d] = 0;
        dReceived[d] = 0;
        dHead[d] = NONE;
        dTail[d] = NONE;
        dCount[d] = 0;
        dCharge[d] = 0;
        dEcn[d] = 0;
        dHdrLen[d] = 0;
        dNhRel[d] = NONE;
        dNextHeader[d] = 0;
        // append to its family's age list: deadlines within one family are in creation order
        int l = listIndex(cFamily);
        dPrev[d] = listTail[l];
        dNext[d] = NONE;
        if (listTail[l] == NONE) {
            listHead[l] = d;
        } else {
            dNext[listTail[l]] = d;
        }
        listTail[l] = d;
        tableInsert(d);
        datagrams++;
        return d;
    }

    /** Removes {@code d} from the hash table and its age list (its fragments stay until released). */
    private void unlink(int d) {
        tableRemove(d);
        int l = listIndex(dFamily[d]);
        int p = dPrev[d];
        int n = dNext[d];
        if (p == NONE) {
            listHead[l] = n;
        } else {
            dNext[p] = n;
        }
        if (n == NONE) {
            listTail[l] = p;
        } else {
            dPrev[n] = p;
        }
        datagrams--;
    }

    private void releaseFragments(int d, boolean discarded) {
        int f = dHead[d];
        while (f != NONE) {
            int next = fNext[f];
            ByteBuf b = fBuf[f];
            fBuf[f] = null;
            fNext[f] = fFree;
            fFree = f;
            held -= fCharge[f];
            if (discarded) {
                counters[Counter.FRAGMENTS_DISCARDED.ordinal()]++;
            }
            b.release();
            f = next;
        }
        dHead[d] = NONE;
        dTail[d] = NONE;
        dCount[d] = 0;
        dCharge[d] = 0;
    }

    private void freeDatagram(int d) {
        dFamily[d] = 0;
        dNext[d] = dFree;
        dFree = d;
    }

    private int newFragment() {
        if (fFree != NONE) {
            int f = fFree;
            fFree = fNext[f];
            return f;
        }
        if (fBuf == null) {
            growFragments(Math.min(INITIAL_FRAGMENTS, maxFragmentSlots));
        } else if (fHighWater == fBuf.length) {
            // cannot exceed maxFragmentSlots: at most maxDatagrams datagrams of at most maxFrags fragments
            growFragments((int) Math.min(maxFragmentSlots, (long) fBuf.length * 2));
        }
        return fHighWater++;
    }

    private static int listIndex(int family) {
        return family == FAMILY_IPV4 ? 0 : 1;
    }

    // ------------------------------------------------------------------------------------------------ hash table

    private int hash(int family, long k0, long k1, long k2, long k3, int ident, int proto) {
        // keyed (secret per instance) so that remote senders cannot aim at one probe chain
        return (int) sip.init(hashK0, hashK1).word(k0).word(k1).word(k2).word(k3)
                .word((ident & 0xffffffffL) | (long) (proto & 0xff) << 32 | (long) family << 40).finish();
    }

    private int find(int hash) {
        int i = hash & tableMask;
        while (true) {
            int e = table[i];
            if (e == 0) {
                return NONE;
            }
            int d = e - 1;
            if (dHash[d] == hash && dFamily[d] == cFamily && dIdent[d] == cIdent && dProto[d] == cProto
                    && dK0[d] == cK0 && dK1[d] == cK1 && dK2[d] == cK2 && dK3[d] == cK3) {
                return d;
            }
            i = (i + 1) & tableMask;
        }
    }

    private void tableInsert(int d) {
        int i = dHash[d] & tableMask;
        while (table[i] != 0) {
            i = (i + 1) & tableMask;
        }
        table[i] = d + 1;
    }

    /** Linear-probing deletion with backward shift (Knuth 6.4 Algorithm R): no tombstones. */
    private void tableRemove(int d) {
        int i = dHash[d] & tableMask;
        while (table[i] != d + 1) {
            i = (i + 1) & tableMask;
        }
        table[i] = 0;
        int j = i;
        while (true) {
            j = (j + 1) & tableMask;
            int e = table[j];
            if (e == 0) {
                return;
            }
            int home = dHash[e - 1] & tableMask;
            // move e back to the hole at i unless its home lies cyclically in (i, j]
            boolean stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!stays) {
                table[i] = e;
                table[j] = 0;
                i = j;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ storage

    private void growDatagrams(int n) {
        int old = dFamily == null ? 0 : dFamily.length;
        if (n <= old) {
            return;
        }
        dFamily = dFamily == null ? new byte[n] : Arrays.copyOf(dFamily, n);
        dK0 = grow(dK0, n);
        dK1 = grow(dK1, n);
        dK2 = grow(dK2, n);
        dK3 = grow(dK3, n);
        dIdent = grow(dIdent, n);
        dProto = grow(dProto, n);
        dHash = grow(dHash, n);
        dCreated = grow(dCreated, n);
        dDeadline = grow(dDeadline, n);
        dEnd = grow(dEnd, n);
        dMaxEnd = grow(dMaxEnd, n);
        dReceived = grow(dReceived, n);
        dHead = grow(dHead, n);
        dTail = grow(dTail, n);
        dCount = grow(dCount, n);
        dCharge = grow(dCharge, n);
        dEcn = grow(dEcn, n);
        dHdrLen = grow(dHdrLen, n);
        dNhRel = grow(dNhRel, n);
        dNextHeader = grow(dNextHeader, n);
        dNext = grow(dNext, n);
        dPrev = grow(dPrev, n);
        final int tableSize = Math.max(2, Integer.highestOneBit(n * 2 - 1) << 1); // >= 2 * n: load <= 1/2
        if (tableSize > table.length) {
            final int[] oldTable = table;
            table = new int[tableSize];
            tableMask = tableSize - 1;
            for (int e : oldTable) {
                if (e != 0) {
                    tableInsert(e - 1);
                }
            }
        }
    }

    private void growFragments(int n) {
        int old = fBuf == null ? 0 : fBuf.length;
        if (n <= old) {
            return;
        }
        fBuf = fBuf == null ? new ByteBuf[n] : Arrays.copyOf(fBuf, n);
        fIp = grow(fIp, n);
        fIpLen = grow(fIpLen, n);
        fData = grow(fData, n);
        fStart = grow(fStart, n);
        fEnd = grow(fEnd, n);
        fNext = grow(fNext, n);
        fCharge = grow(fCharge, n);
    }

    private static int[] grow(int[] a, int n) {
        return a == null ? new int[n] : Arrays.copyOf(a, n);
    }

    private static long[] grow(long[] a, int n) {
        return a == null ? new long[n] : Arrays.copyOf(a, n);
    }
}

package io.ioth.tcpip.iface;

import io.ioth.tcpip.link.FrameLink;
import io.ioth.tcpip.link.PcapLink;
import io.ioth.tcpip.link.PcapngWriter;
import io.ioth.tcpip.storage.TimerWheel;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One interface of a stack: a {@link FrameLink}, a MAC address, an MTU, its IPv4 addresses with prefix lengths, its
 * IPv6 addresses with prefix lengths and DAD states, the link-layer groups it listens to, its IPv4 and IPv6 multicast
 * memberships and its neighbour cache (ARP and NDP). The loopback interface ({@code lo}, index 1) has no MAC, no
 * neighbour cache, and carries 127/8, ::1 and the traffic to the stack's own addresses.
 *
 * <p>IPv6 is off on an interface until {@link Engine#enableIpv6} (or the first {@link Engine#addIpv6}) turns it on:
 * that adds the link-local address (fe80::/64 + the modified EUI-64 of the MAC, or a configured interface id) and
 * joins the all-nodes group; until then IPv6 frames are dropped as {@code ETH_IPV6_DISABLED}.
 *
 * <p>Created by {@link Engine#addInterface}; addresses are changed through the engine (so routes and
 * announcements follow). The accessors are for configuration, diagnostics and tests.
 *
 * <p>Not thread-safe: owner thread only.
 */
public final class NetInterface {
    public static final int NO_VLAN = -1;

    /** The state of an IPv6 address (RFC 4862 §5.4; no optimistic DAD, no deprecation without SLAAC). */
    public enum AddressState {
        /** Being checked by Duplicate Address Detection: not used as a source, packets to it are dropped. */
        TENTATIVE,
        /** Usable. */
        PREFERRED,
        /** DAD found another node using it (RFC 4862 §5.4.5): never used; Linux shows "dadfailed". */
        DUPLICATE
    }

    static final byte V6_TENTATIVE = 0;
    static final byte V6_PREFERRED = 1;
    static final byte V6_DUPLICATE = 2;
    static final byte V6_FLAG_DEPRECATED = 1;
    private static final AddressState[] STATES = AddressState.values();

    final Engine engine;
    final int index;
    final String name;
    FrameLink link;
    /** {@link #setWindowClampSegments}: -1 for the link's {@link FrameLink#inboundQueueFrames()}. */
    private int windowClampSegments = -1;
    final long mac;
    int mtu;
    final boolean loopback;
    int vlanId = NO_VLAN;
    boolean up = true;
    /** ARP/NDP cache; null on loopback. Queued packets are IP datagrams (reader index at the IP header). */
    final NeighborCache<ByteBuf> neighbors;
    /** Ingress entry point handed to the link (one instance). */
    final FrameLink.FrameSink sink;

    // IPv4 addresses, in the order added (the first is the primary)
    int[] v4Addr = new int[2];
    int[] v4Len = new int[2];
    int v4Count;

    // link-layer group addresses accepted, with reference counts
    long[] groupMac = new long[4];
    int[] groupMacRefs = new int[4];
    int groupMacCount;

    // IPv4 multicast memberships (RFC 2236 host state per group)
    int[] v4Group = new int[4];
    int[] v4GroupRefs = new int[4];
    long[] v4GroupTimer = new long[4];
    boolean[] v4GroupReporter = new boolean[4];
    int v4GroupCount;

    // IPv6: enabled flag, the link-local interface id, addresses in the order added (the link-local first)
    boolean ipv6;
    long v6InterfaceId;
    long[] v6Hi = new long[2];
    long[] v6Lo = new long[2];
    int[] v6Len = new int[2];
    byte[] v6State = new byte[2];
    /** A per-interface id that outlives index shifts, carried by the address's timers. */
    int[] v6Id = new int[2];
    long[] v6Timer = new long[2];
    /** DAD solicitations still to send (TENTATIVE), or unsolicited advertisements still to send (PREFERRED). */
    int[] v6Remaining = new int[2];
    /** {@link #V6_FLAG_DEPRECATED}: preferred lifetime over (RFC 4862 §5.5.4), still valid; set by
     * {@link Ipv6Autoconf} and the DHCPv6 client. */
    byte[] v6Flags = new byte[2];
    int v6Count;
    private int v6NextId = 1;

    // IPv6 multicast memberships (RFC 3810 host state per group; ff02::1 is implicit and never stored)
    long[] g6Hi = new long[4];
    long[] g6Lo = new long[4];
    /** References: addresses (their solicited-node group) and sockets; 0 = left, a Done/TO_IN still repeating. */
    int[] g6Refs = new int[4];
    int[] g6Id = new int[4];
    long[] g6Timer = new long[4];
    /** The record the pending timer sends (RFC 3810 §5.2.12 type), and how many state-change repetitions remain. */
    byte[] g6Pending = new byte[4];
    int[] g6Retransmits = new int[4];
    int g6Count;
    private int g6NextId = 1;
    /** The pending response to a general query (RFC 3810 §6.2 "interface timer"). */
    long mldGeneralTimer = TimerWheel.NULL_TIMER;

    // DHCPv4 client support (io.ioth.tcpip.dhcp): see setDhcpClientReceive, watchArp
    /** Deliver unicast UDP to port 68 whatever its destination address (RFC 2131 §4.1, before the lease). */
    boolean dhcpClientReceive;
    /** RFC 5227 §2.1.1 conflict detection: the address being probed or defended, 0 = none. */
    int arpWatchAddr;
    ArpWatcher arpWatcher;
    /** Whether an ARP Probe for the watched address is reported (probing, §2.1.1) or only answered (§2.4). */
    boolean arpWatchProbes;

    NetInterface(final Engine engine, final int index, final String name, final FrameLink link, final long mac,
                 final boolean loopback, final long nowNanos) {
        this.engine = engine;
        this.index = index;
        this.name = name;
        this.link = link;
        this.mac = mac;
        this.loopback = loopback;
        this.mtu = link.maxFrameSize() - 14;
        this.neighbors = loopback ? null : new NeighborCache<>(engine.neighborOwner(this),
                engine.config.neighborEntries, engine.config.neighborQueue, engine.random, nowNanos);
        this.sink = frame -> engine.receiveFrame(this, frame);
        if (!loopback) {
            addGroupMac(MacAddr.BROADCAST);
        }
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    /** The MAC address (0 on loopback). */
    public long mac() {
        return mac;
    }

    /** The largest IP packet this interface sends (the link's frame size minus the Ethernet header by default). */
    public int mtu() {
        return mtu;
    }

    /** Sets the MTU (68 .. the link's frame size - 14; RFC 791 minimum 68). */
    public void setMtu(final int newMtu) {
        final int max = link.maxFrameSize() - (vlanId == NO_VLAN ? 14 : 18);
        if (newMtu < 68 || newMtu > max) {
            throw new IllegalArgumentException("MTU must be 68.." + max + ": " + newMtu);
        }
        if (ipv6 && newMtu < 1280) {
            throw new IllegalArgumentException("IPv6 needs an MTU of 1280 or more (RFC 8200 §5): " + newMtu);
        }
        mtu = newMtu;
        engine.routesChanged();
    }

    public boolean isLoopback() {
        return loopback;
    }

    /** Bytes of link header this interface prepends: 14 (Ethernet), 18 with an 802.1Q tag. */
    public int linkHeaderLength() {
        return vlanId == NO_VLAN ? 14 : 18;
    }

    public boolean isUp() {
        return up;
    }

    /** Administratively up/down: a down interface neither receives nor is routed over. */
    public void setUp(final boolean v) {
        up = v;
        engine.routesChanged();
    }

    /** The 802.1Q VLAN this interface sends and accepts, or {@link #NO_VLAN} (untagged; tagged frames dropped). */
    public int vlanId() {
        return vlanId;
    }

    public void setVlanId(final int vid) {
        if (loopback || vid < NO_VLAN || vid > 4094) {
            throw new IllegalArgumentException("VLAN id must be 0..4094 or NO_VLAN: " + vid);
        }
        vlanId = vid;
    }

    /** The link (possibly a decorator installed by {@link #capture}). */
    public FrameLink link() {
        return link;
    }

    /**
     * The most TCP window, in segments, a connection over this interface advertises: {@link #setWindowClampSegments},
     * else the link's {@link FrameLink#inboundQueueFrames()}; 0 for no clamp.
     */
    public int windowClampSegments() {
        return windowClampSegments >= 0 ? windowClampSegments : link.inboundQueueFrames();
    }

    /**
     * Clamps the TCP window advertised, and the congestion window, on connections over this interface to
     * {@code segments} segments (Linux {@code ip route ... window}, {@code snd_cwnd_clamp}), as many more per ms of
     * the connection's least RTT beyond 1 ms; 0 removes the clamp, -1 returns to the link's default. Applies to
     * connections routed from now on.
     */
    public void setWindowClampSegments(final int segments) {
        if (segments < -1) {
            throw new IllegalArgumentException("window clamp: -1 (the link's), 0 (none) or a number of segments: "
                    + segments);
        }
        windowClampSegments = segments;
    }

    /** The ARP/NDP cache, or null on loopback (diagnostics, tests). */
    public NeighborCache<ByteBuf> neighbors() {
        return neighbors;
    }

    /** The IPv4 addresses (a copy), primary first. */
    public int[] ipv4Addresses() {
        return Arrays.copyOf(v4Addr, v4Count);
    }

    /** The prefix length of {@code addr} on this interface, or -1 if it is not one of its addresses. */
    public int ipv4PrefixLength(final int addr) {
        for (int i = 0; i < v4Count; i++) {
            if (v4Addr[i] == addr) {
                return v4Len[i];
            }
        }
        return -1;
    }

    public boolean hasIpv4(final int addr) {
        for (int i = 0; i < v4Count; i++) {
            if (v4Addr[i] == addr) {
                return true;
            }
        }
        return false;
    }

    /** The first IPv4 address, or 0. */
    public int primaryIpv4() {
        return v4Count == 0 ? 0 : v4Addr[0];
    }

    /** Whether {@code a} is the directed broadcast address of one of this interface's subnets (not /31, /32:
     * RFC 3021). */
    public boolean isIpv4Broadcast(final int a) {
        for (int i = 0; i < v4Count; i++) {
            final int len = v4Len[i];
            if (len < 31 && a == (v4Addr[i] | ~Ipv4Addr.mask(len))) {
                return true;
            }
        }
        return false;
    }

    /** The address of this interface in the same subnet as {@code a}, else the primary address, else 0 (RFC 1122
     * §3.3.4.3 source selection; Linux inet_select_addr prefers the subnet of the destination). */
    int sourceFor4(final int a) {
        for (int i = 0; i < v4Count; i++) {
            if (Ipv4Addr.inPrefix(a, v4Addr[i], v4Len[i])) {
                return v4Addr[i];
            }
        }
        return primaryIpv4();
    }

    /** Whether this interface joined the IPv4 group (224.0.0.1 always: RFC 1112 §4). */
    public boolean isMemberIpv4(final int group) {
        return group == IgmpLayer.ALL_SYSTEMS || groupIndex4(group) >= 0;
    }

    /** The IPv4 groups joined (a copy, 224.0.0.1 not included). */
    public int[] ipv4Groups() {
        return Arrays.copyOf(v4Group, v4GroupCount);
    }

    // ---------------------------------------------------------------- IPv6 (accessors)

    /** Whether IPv6 is enabled on this interface. */
    public boolean isIpv6Enabled() {
        return ipv6;
    }

    /** The state of one of this interface's IPv6 addresses, or null if it has not got it. */
    public AddressState ipv6State(final long hi, final long lo) {
        final int i = indexOfV6(hi, lo);
        return i < 0 ? null : STATES[v6State[i]];
    }

    /** Whether the address's preferred lifetime is over (RFC 4862 §5.5.4): still valid, avoided as a source for new
     * communication (RFC 6724 rule 3). False for an address the interface has not got. */
    public boolean isIpv6Deprecated(final long hi, final long lo) {
        final int i = indexOfV6(hi, lo);
        return i >= 0 && (v6Flags[i] & V6_FLAG_DEPRECATED) != 0;
    }

    /**
     * Marks an address deprecated (its preferred lifetime is over: RFC 4862 §5.5.4) or preferred again; lifetimes
     * are kept by whoever configured the address ({@link Ipv6Autoconf}, the DHCPv6 client). @return false if the
     * interface has not got the address
     */
    public boolean setIpv6Deprecated(final long hi, final long lo, final boolean deprecated) {
        final int i = indexOfV6(hi, lo);
        if (i < 0) {
            return false;
        }
        final byte f = (byte) (deprecated ? v6Flags[i] | V6_FLAG_DEPRECATED : v6Flags[i] & ~V6_FLAG_DEPRECATED);
        if (f != v6Flags[i]) {
            v6Flags[i] = f;
            engine.routesChanged(); // source selection changes
        }
        return true;
    }

    /** Whether the interface has the IPv6 address, in any state. */
    public boolean hasIpv6(final long hi, final long lo) {
        return indexOfV6(hi, lo) >= 0;
    }

    /** The lo half of the link-local address (its hi half is fe80::), or 0 if IPv6 is off. */
    public long ipv6LinkLocalLo() {
        for (int i = 0; i < v6Count; i++) {
            if (Ipv6Addr.isLinkLocal(v6Hi[i])) {
                return v6Lo[i];
            }
        }
        return 0L;
    }

    /** The IPv6 addresses like {@code ip -6 addr}: {@code "fd00::2/64"}, with " tentative" / " dadfailed" /
     * " deprecated" (allocates; diagnostics and tests). */
    public List<String> ipv6Addresses() {
        final List<String> l = new ArrayList<>(v6Count);
        for (int i = 0; i < v6Count; i++) {
            l.add(Ipv6Addr.format(v6Hi[i], v6Lo[i]) + "/" + v6Len[i]
                    + (v6State[i] == V6_TENTATIVE ? " tentative" : v6State[i] == V6_DUPLICATE ? " dadfailed" : "")
                    + ((v6Flags[i] & V6_FLAG_DEPRECATED) != 0 ? " deprecated" : ""));
        }
        return l;
    }

    /** Whether this interface listens to the IPv6 group: ff02::1 whenever IPv6 is on (RFC 4291 §2.8), the
     * solicited-node groups of its addresses, and the groups joined by sockets. */
    public boolean isMemberIpv6(final long hi, final long lo) {
        if (!ipv6) {
            return false;
        }
        if (hi == Ipv6Addr.ALL_NODES_HI && lo == Ipv6Addr.ALL_NODES_LO) {
            return true;
        }
        final int i = groupIndex6(hi, lo);
        return i >= 0 && g6Refs[i] > 0;
    }

    /** The IPv6 groups joined (allocates; ff02::1 not included). */
    public List<String> ipv6Groups() {
        final List<String> l = new ArrayList<>();
        for (int i = 0; i < g6Count; i++) {
            if (g6Refs[i] > 0) {
                l.add(Ipv6Addr.format(g6Hi[i], g6Lo[i]));
            }
        }
        return l;
    }

    /**
     * Records the traffic of this interface into {@code writer}: wraps the link in a {@link PcapLink} (owned by the
     * interface from now on; closed with the stack). Timestamps come from {@code clock}, e.g. the simulated time.
     */
    public PcapLink capture(final PcapngWriter writer, final LongSupplier clock) {
        final PcapLink p = new PcapLink(link, writer, clock);
        link = p;
        return p;
    }

    /**
     * Records the traffic of this interface into a pcapng file (open it with Wireshark or
     * {@code tshark -r file}), timestamped with the {@code now} of the stack's most recent poll.
     */
    public PcapLink capture(final Path file) throws IOException {
        return capture(PcapngWriter.open(file, PcapngWriter.DEFAULT_SNAPLEN, PcapngWriter.DEFAULT_BUFFER_SIZE, name),
                engine::lastNow);
    }

    // ---------------------------------------------------------------- engine

    boolean addV4(final int addr, final int len) {
        if (hasIpv4(addr)) {
            return false;
        }
        if (v4Count == v4Addr.length) {
            v4Addr = Arrays.copyOf(v4Addr, v4Count * 2);
            v4Len = Arrays.copyOf(v4Len, v4Count * 2);
        }
        v4Addr[v4Count] = addr;
        v4Len[v4Count] = len;
        v4Count++;
        return true;
    }

    boolean removeV4(final int addr) {
        for (int i = 0; i < v4Count; i++) {
            if (v4Addr[i] == addr) {
                System.arraycopy(v4Addr, i + 1, v4Addr, i, v4Count - i - 1);
                System.arraycopy(v4Len, i + 1, v4Len, i, v4Count - i - 1);
                v4Count--;
                return true;
            }
        }
        return false;
    }

    /** Whether the link-layer group address is accepted (broadcast is always). */
    boolean acceptsGroupMac(final long m) {
        for (int i = 0; i < groupMacCount; i++) {
            if (groupMac[i] == m) {
                return true;
            }
        }
        return false;
    }

    /** Starts accepting a link-layer group address (reference counted; the IPv6 layer uses it for its groups). */
    public void addGroupMac(final long m) {
        for (int i = 0; i < groupMacCount; i++) {
            if (groupMac[i] == m) {
                groupMacRefs[i]++;
                return;
            }
        }
        if (groupMacCount == groupMac.length) {
            groupMac = Arrays.copyOf(groupMac, groupMacCount * 2);
            groupMacRefs = Arrays.copyOf(groupMacRefs, groupMacCount * 2);
        }
        groupMac[groupMacCount] = m;
        groupMacRefs[groupMacCount] = 1;
        groupMacCount++;
    }

    /** Drops one reference to a link-layer group address. */
    public void removeGroupMac(final long m) {
        for (int i = 0; i < groupMacCount; i++) {
            if (groupMac[i] == m) {
                if (--groupMacRefs[i] == 0) {
                    System.arraycopy(groupMac, i + 1, groupMac, i, groupMacCount - i - 1);
                    System.arraycopy(groupMacRefs, i + 1, groupMacRefs, i, groupMacCount - i - 1);
                    groupMacCount--;
                }
                return;
            }
        }
    }

    int groupIndex4(final int group) {
        for (int i = 0; i < v4GroupCount; i++) {
            if (v4Group[i] == group) {
                return i;
            }
        }
        return -1;
    }

    int addGroup4(final int group) {
        if (v4GroupCount == v4Group.length) {
            final int n = v4GroupCount * 2;
            v4Group = Arrays.copyOf(v4Group, n);
            v4GroupRefs = Arrays.copyOf(v4GroupRefs, n);
            v4GroupTimer = Arrays.copyOf(v4GroupTimer, n);
            v4GroupReporter = Arrays.copyOf(v4GroupReporter, n);
        }
        final int i = v4GroupCount++;
        v4Group[i] = group;
        v4GroupRefs[i] = 0;
        v4GroupTimer[i] = 0;
        v4GroupReporter[i] = false;
        return i;
    }

    void removeGroupAt4(final int i) {
        final int n = v4GroupCount - i - 1;
        System.arraycopy(v4Group, i + 1, v4Group, i, n);
        System.arraycopy(v4GroupRefs, i + 1, v4GroupRefs, i, n);
        System.arraycopy(v4GroupTimer, i + 1, v4GroupTimer, i, n);
        System.arraycopy(v4GroupReporter, i + 1, v4GroupReporter, i, n);
        v4GroupCount--;
    }

    // ---------------------------------------------------------------- engine: IPv6 tables

    int indexOfV6(final long hi, final long lo) {
        for (int i = 0; i < v6Count; i++) {
            if (v6Lo[i] == lo && v6Hi[i] == hi) {
                return i;
            }
        }
        return -1;
    }

    int indexOfV6Id(final int id) {
        for (int i = 0; i < v6Count; i++) {
            if (v6Id[i] == id) {
                return i;
            }
        }
        return -1;
    }

    /** Appends an address in {@code state}; returns its index. */
    int addV6(final long hi, final long lo, final int len, final byte state) {
        if (v6Count == v6Hi.length) {
            final int n = v6Count * 2;
            v6Hi = Arrays.copyOf(v6Hi, n);
            v6Lo = Arrays.copyOf(v6Lo, n);
            v6Len = Arrays.copyOf(v6Len, n);
            v6State = Arrays.copyOf(v6State, n);
            v6Id = Arrays.copyOf(v6Id, n);
            v6Timer = Arrays.copyOf(v6Timer, n);
            v6Remaining = Arrays.copyOf(v6Remaining, n);
            v6Flags = Arrays.copyOf(v6Flags, n);
        }
        final int i = v6Count++;
        v6Hi[i] = hi;
        v6Lo[i] = lo;
        v6Len[i] = len;
        v6State[i] = state;
        v6Id[i] = v6NextId++ & 0x7fff_ffff;
        v6Timer[i] = TimerWheel.NULL_TIMER;
        v6Remaining[i] = 0;
        v6Flags[i] = 0;
        return i;
    }

    void removeV6At(final int i) {
        final int n = v6Count - i - 1;
        System.arraycopy(v6Hi, i + 1, v6Hi, i, n);
        System.arraycopy(v6Lo, i + 1, v6Lo, i, n);
        System.arraycopy(v6Len, i + 1, v6Len, i, n);
        System.arraycopy(v6State, i + 1, v6State, i, n);
        System.arraycopy(v6Id, i + 1, v6Id, i, n);
        System.arraycopy(v6Timer, i + 1, v6Timer, i, n);
        System.arraycopy(v6Remaining, i + 1, v6Remaining, i, n);
        System.arraycopy(v6Flags, i + 1, v6Flags, i, n);
        v6Count--;
    }

    int groupIndex6(final long hi, final long lo) {
        for (int i = 0; i < g6Count; i++) {
            if (g6Lo[i] == lo && g6Hi[i] == hi) {
                return i;
            }
        }
        return -1;
    }

    int groupIndex6Id(final int id) {
        for (int i = 0; i < g6Count; i++) {
            if (g6Id[i] == id) {
                return i;
            }
        }
        return -1;
    }

    int addGroup6(final long hi, final long lo) {
        if (g6Count == g6Hi.length) {
            final int n = g6Count * 2;
            g6Hi = Arrays.copyOf(g6Hi, n);
            g6Lo = Arrays.copyOf(g6Lo, n);
            g6Refs = Arrays.copyOf(g6Refs, n);
            g6Id = Arrays.copyOf(g6Id, n);
            g6Timer = Arrays.copyOf(g6Timer, n);
            g6Pending = Arrays.copyOf(g6Pending, n);
            g6Retransmits = Arrays.copyOf(g6Retransmits, n);
        }
        final int i = g6Count++;
        g6Hi[i] = hi;
        g6Lo[i] = lo;
        g6Refs[i] = 0;
        g6Id[i] = g6NextId++ & 0x7fff_ffff;
        g6Timer[i] = TimerWheel.NULL_TIMER;
        g6Pending[i] = 0;
        g6Retransmits[i] = 0;
        return i;
    }

    void removeGroupAt6(final int i) {
        final int n = g6Count - i - 1;
        System.arraycopy(g6Hi, i + 1, g6Hi, i, n);
        System.arraycopy(g6Lo, i + 1, g6Lo, i, n);
        System.arraycopy(g6Refs, i + 1, g6Refs, i, n);
        System.arraycopy(g6Id, i + 1, g6Id, i, n);
        System.arraycopy(g6Timer, i + 1, g6Timer, i, n);
        System.arraycopy(g6Pending, i + 1, g6Pending, i, n);
        System.arraycopy(g6Retransmits, i + 1, g6Retransmits, i, n);
        g6Count--;
    }

    // ---------------------------------------------------------------- DHCPv4 client support

    /** Told about ARP traffic that shows another host using (or probing for) a watched address (RFC 5227). */
    @FunctionalInterface
    public interface ArpWatcher {
        /**
         * Called on the owner thread while the stack processes the ARP packet.
         *
         * @param senderMac the other host's hardware address
         */
        void onArpConflict(NetInterface ifc, int addr, long senderMac, long nowNanos);
    }

    /**
     * While on, unicast UDP datagrams to port 68 are delivered to the stack's UDP layer whatever their destination
     * address. RFC 2131 §4.1: a server that does not broadcast "unicasts DHCPOFFER and DHCPACK messages to the
     * client's hardware address and 'yiaddr' address", an address the interface does not have yet (Linux clients
     * read such replies on packet sockets). A DHCP client turns it on while it has no lease.
     */
    public void setDhcpClientReceive(final boolean on) {
        dhcpClientReceive = on;
    }

    public boolean isDhcpClientReceive() {
        return dhcpClientReceive;
    }

    /**
     * Watches {@code addr} for conflicts (RFC 5227 §2.1.1): any ARP packet from another MAC whose sender IP is
     * {@code addr}, or any ARP Probe (sender IP 0) whose target is {@code addr}, is reported to {@code watcher}.
     * One watch per interface; {@code addr} 0 or a null watcher stops watching.
     */
    public void watchArp(final int addr, final ArpWatcher watcher) {
        arpWatchAddr = watcher == null ? 0 : addr;
        arpWatcher = addr == 0 ? null : watcher;
        arpWatchProbes = true;
    }

    /**
     * Watches an address in use (RFC 5227 §2.4 "Ongoing Address Conflict Detection"): only ARP packets from another
     * MAC whose sender IP is {@code addr} are reported; ARP Probes for it are answered as usual, not reported. Shares
     * the one watch of {@link #watchArp}.
     */
    public void watchArpConflicts(final int addr, final ArpWatcher watcher) {
        watchArp(addr, watcher);
        arpWatchProbes = false;
    }

    /** Broadcasts one ARP Announcement of {@code addr} (RFC 5227 §2.3: sender and target IP both {@code addr}),
     * e.g. to defend it (§2.4 (b) "broadcasting one single ARP Announcement"). */
    public void sendArpAnnouncement(final int addr) {
        if (loopback) {
            throw new IllegalArgumentException("no ARP on loopback");
        }
        engine.arp.sendAnnouncement(this, addr);
    }

    /** Sends one ARP Probe for {@code addr} (RFC 5227 §2.1.1: sender IP 0.0.0.0, target IP {@code addr},
     * broadcast). */
    public void sendArpProbe(final int addr) {
        if (loopback) {
            throw new IllegalArgumentException("no ARP on loopback");
        }
        engine.arp.probe(this, addr);
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder().append(index).append(": ").append(name)
                .append(loopback ? " loopback" : " " + MacAddr.format(mac)).append(" mtu ").append(mtu)
                .append(up ? " UP" : " DOWN");
        for (int i = 0; i < v4Count; i++) {
            sb.append(" inet ").append(Ipv4Addr.format(v4Addr[i])).append('/').append(v4Len[i]);
        }
        for (String a : ipv6Addresses()) {
            sb.append(" inet6 ").append(a);
        }
        return sb.toString();
    }
}

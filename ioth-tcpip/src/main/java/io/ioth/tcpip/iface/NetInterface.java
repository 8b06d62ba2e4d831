package io.ioth.tcpip.iface;

import io.ioth.tcpip.link.FrameLink;
import io.ioth.tcpip.link.PcapLink;
import io.ioth.tcpip.link.PcapngWriter;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * One interface of a stack: a {@link FrameLink}, a MAC address, an MTU, its IPv4 addresses with prefix lengths, the
 * link-layer groups it listens to, its IPv4 multicast memberships and its neighbour cache (ARP now, NDP with the
 * IPv6 layer). The loopback interface ({@code lo}, index 1) has no MAC, no neighbour cache, and carries 127/8 and the
 * traffic to the stack's own addresses.
 *
 * <p>Created by {@link Engine#addInterface}; addresses are changed through the engine (so routes and
 * announcements follow). The accessors are for configuration, diagnostics and tests.
 *
 * <p>Not thread-safe: owner thread only.
 */
public final class NetInterface {
    public static final int NO_VLAN = -1;

    final Engine engine;
    final int index;
    final String name;
    FrameLink link;
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

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder().append(index).append(": ").append(name)
                .append(loopback ? " loopback" : " " + MacAddr.format(mac)).append(" mtu ").append(mtu)
                .append(up ? " UP" : " DOWN");
        for (int i = 0; i < v4Count; i++) {
            sb.append(" inet ").append(Ipv4Addr.format(v4Addr[i])).append('/').append(v4Len[i]);
        }
        return sb.toString();
    }
}

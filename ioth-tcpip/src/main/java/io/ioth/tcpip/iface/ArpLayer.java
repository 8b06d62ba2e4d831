package io.ioth.tcpip.iface;

import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.stats.StackStats;
import io.ioth.tcpip.wire.ArpPacket;
import io.ioth.tcpip.wire.ArpRepr;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;

/**
 * ARP (RFC 826) around the interface's {@link NeighborCache}: answers requests for the interface's own addresses,
 * learns with RFC 826's merge rule (the cache's {@link NeighborCache#onArp}), sends the cache's requests and probes,
 * and announces new addresses with gratuitous ARP (RFC 5227 §2.3, RFC 5944 §4.6).
 *
 * <p>Frames are emitted unpadded (42 bytes), as Linux does; the wire pads if it must.
 *
 * <p>Not thread-safe: part of one engine, owner thread only.
 */
final class ArpLayer implements StackTimers.Client {
    private final Engine engine;
    private final StackStats stats;
    private final int timerClient;
    private final ArpPacket in = new ArpPacket();
    private final ArpRepr inRepr = new ArpRepr();
    private final ArpPacket out = new ArpPacket();
    private final ArpRepr outRepr = new ArpRepr();

    ArpLayer(final Engine engine) {
        this.engine = engine;
        this.stats = engine.stats;
        this.timerClient = engine.timers.register(this);
    }

    /** An ARP packet in {@code buf[off, off+len)} received on {@code ifc}. Borrowed. */
    void receive(final NetInterface ifc, final ByteBuf buf, final int off, final int len, final long now) {
        final WireError e = inRepr.parse(in.wrap(buf, off, len));
        if (!e.ok()) {
            stats.drop(e == WireError.TRUNCATED ? DropReason.ARP_TRUNCATED : DropReason.ARP_UNSUPPORTED);
            return;
        }
        final boolean request = inRepr.operation == ArpPacket.OP_REQUEST;
        stats.inc(request ? Counter.ARP_IN_REQUESTS : Counter.ARP_IN_REPLIES);
        final long sha = inRepr.senderMac;
        final int spa = inRepr.senderIp;
        final int tpa = inRepr.targetIp;
        if (MacAddr.isMulticast(sha) || sha == 0) {
            stats.drop(DropReason.ARP_BAD_SENDER);
            return;
        }
        if (sha == ifc.mac) {
            stats.drop(DropReason.ARP_OWN);
            return;
        }
        final int watched = ifc.arpWatchAddr;
        if (watched != 0 && (spa == watched || (ifc.arpWatchProbes && spa == 0 && request && tpa == watched))) {
            // RFC 5227 §2.1.1: "any ARP packet (Request *or* Reply) ... where the packet's 'sender IP address' is
            // the address being probed for", or "any ARP Probe where the packet's 'target IP address' is the address
            // being probed for": a conflict, reported to the prober (the DHCP client declines the address).
            ifc.arpWatcher.onArpConflict(ifc, watched, sha, now);
        }
        // "answer only for our own addresses" (Linux arp_ignore=1: addresses of the receiving interface)
        final boolean targetIsUs = ifc.hasIpv4(tpa);
        if (spa == 0) {
            // RFC 5227 §2.1.1 ARP Probe (sender 0.0.0.0): nothing to learn. A probe for our address is answered,
            // which defends it (§2.4 (a) would also detect the conflict).
            if (request && targetIsUs) {
                reply(ifc, tpa, sha, spa, now);
            }
            return;
        }
        if (ifc.hasIpv4(spa) || engine.isLocal4(spa)) {
            // Someone else uses one of our addresses (RFC 5227 §2.4): never let it overwrite our view.
            stats.drop(DropReason.ARP_ADDRESS_CONFLICT);
            return;
        }
        if (Ipv4Addr.isMulticast(spa) || spa == Ipv4Addr.BROADCAST || Ipv4Addr.isLoopback(spa)
                || (spa >>> 24) == 0 || ifc.isIpv4Broadcast(spa)) {
            stats.drop(DropReason.ARP_BAD_SENDER);
            return;
        }
        // RFC 826 "Packet Reception": merge the sender into the table if it is there; if I am the target, add it.
        ifc.neighbors.onArp(spa, sha, !request, targetIsUs, now);
        if (request) {
            if (targetIsUs) {
                reply(ifc, tpa, sha, spa, now);
            } else if (spa != tpa) {
                stats.drop(DropReason.ARP_NOT_FOR_US); // merged, not answered (a gratuitous ARP is not counted)
            }
        }
    }

    /**
     * RFC 826: "swap hardware and protocol fields, putting the local hardware and protocol addresses in the sender
     * fields", set the opcode to reply and send it "to the new target hardware address".
     */
    private void reply(final NetInterface ifc, final int ourIp, final long theirMac, final int theirIp,
                       final long now) {
        stats.inc(Counter.ARP_OUT_REPLIES);
        send(ifc, ArpPacket.OP_REPLY, ourIp, theirMac, theirIp, theirMac);
    }

    /**
     * Sends the neighbour cache's request for {@code target}: broadcast, or unicast to {@code unicastMac} when
     * probing a known entry (RFC 1122 §2.3.2.1 "unicast poll"). The sender address is the interface's address in
     * the target's subnet (Linux arp_announce=0 picks the queued packet's source; ours is the usual one).
     */
    void sendRequest(final NetInterface ifc, final int target, final long unicastMac, final long now) {
        stats.inc(Counter.ARP_OUT_REQUESTS);
        final boolean unicast = unicastMac != NeighborCache.NO_MAC;
        send(ifc, ArpPacket.OP_REQUEST, ifc.sourceFor4(target), 0L, target,
                unicast ? unicastMac : MacAddr.BROADCAST);
    }

    /**
     * Announces {@code addr} (RFC 5227 §2.3: "an ARP Request packet, broadcast on the local link, identical to the
     * ARP Probe ... except that both the sender and target IP address fields contain the IP address being
     * announced"), then {@code ANNOUNCE_NUM - 1} more, {@code ANNOUNCE_INTERVAL} apart. Hosts that already hold an
     * entry for the address replace the MAC at once (RFC 826 merge; Linux updates even with arp_accept=0).
     */
    void announce(final NetInterface ifc, final int addr, final long now) {
        final int count = engine.config.arpAnnounceCount;
        if (count == 0) {
            return;
        }
        sendAnnouncement(ifc, addr);
        if (count > 1) {
            schedule(ifc, addr, count - 1, now + engine.config.arpAnnounceIntervalNanos);
        }
    }

    /** RFC 5227 §2.1.1 ARP Probe: "an ARP Request ... with the 'sender IP address' field set to all zeroes",
     * the target hardware address zero, the target IP the address probed, broadcast. */
    void probe(final NetInterface ifc, final int addr) {
        stats.inc(Counter.ARP_OUT_REQUESTS);
        send(ifc, ArpPacket.OP_REQUEST, 0, 0L, addr, MacAddr.BROADCAST);
    }

    void sendAnnouncement(final NetInterface ifc, final int addr) {
        stats.inc(Counter.ARP_OUT_ANNOUNCEMENTS);
        send(ifc, ArpPacket.OP_REQUEST, addr, 0L, addr, MacAddr.BROADCAST);
    }

    private void schedule(final NetInterface ifc, final int addr, final int remaining, final long deadline) {
        engine.timers.schedule(timerClient, deadline,
                (long) ifc.index << 40 | (long) remaining << 32 | (addr & 0xffff_ffffL));
    }

    @Override
    public void onTimer(final long value, final long now) {
        final NetInterface ifc = engine.iface((int) (value >>> 40));
        final int remaining = (int) (value >>> 32) & 0xff;
        final int addr = (int) value;
        if (ifc == null || !ifc.hasIpv4(addr)) {
            return; // the address went away meanwhile
        }
        sendAnnouncement(ifc, addr);
        if (remaining > 1) {
            schedule(ifc, addr, remaining - 1, now + engine.config.arpAnnounceIntervalNanos);
        }
    }

    private void send(final NetInterface ifc, final int op, final int spa, final long tha, final int tpa,
                      final long dstMac) {
        final ByteBuf b = engine.alloc.directBuffer(Engine.LINK_HEADROOM + ArpPacket.HEADER_LEN);
        b.setIndex(Engine.LINK_HEADROOM, Engine.LINK_HEADROOM + ArpPacket.HEADER_LEN);
        outRepr.set(op, ifc.mac, spa, tha, tpa).emit(out.wrap(b, Engine.LINK_HEADROOM, ArpPacket.HEADER_LEN));
        engine.transmitEthernet(ifc, b, dstMac, EtherType.ARP);
    }
}

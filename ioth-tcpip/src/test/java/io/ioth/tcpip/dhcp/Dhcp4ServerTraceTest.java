package io.ioth.tcpip.dhcp;

import io.ioth.tcpip.dhcp.DhcpFrames.Sent;
import io.ioth.tcpip.testing.Frames;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static io.ioth.tcpip.dhcp.DhcpFrames.ip;
import static io.ioth.tcpip.testing.StackFixture.MAC_A;
import static io.ioth.tcpip.testing.StackFixture.MAC_B;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DHCPv4 server as packet traces: the stack is B (10.0.0.2/24, 02:00:00:00:00:0b) serving 10.0.0.100-110; the
 * test plays client A (02:00:00:00:00:0a).
 */
class Dhcp4ServerTraceTest {
    static final int SERVER = StackFixture.IP_B;
    static final int BCAST = Ipv4Addr.BROADCAST;

    StackFixture fx;
    Dhcp4Server srv;

    @BeforeEach
    void setUp() {
        fx = new StackFixture();
        // no ICMP probe before offers here: the probe has traces of its own below
        srv = fx.stack.startDhcp4Server(fx.eth0, Dhcp4ServerConfig.builder().pool("10.0.0.100", "10.0.0.110")
                .leaseSeconds(600).router("10.0.0.1").dns("10.0.0.53").domain("lab").probe(0).build());
    }

    /** The server with the default probe (an ICMP echo request, 500 ms to answer) before a first offer. */
    void probingServer() {
        srv.close();
        srv = fx.stack.startDhcp4Server(fx.eth0, Dhcp4ServerConfig.builder().pool("10.0.0.100", "10.0.0.110")
                .leaseSeconds(600).build());
    }

    /** The next frame: an ARP request from the server (10.0.0.2) for {@code target}. */
    void arpRequestFor(int target) {
        byte[] f = fx.link.take();
        assertTrue(f != null, "expected an ARP request for " + Ipv4Addr.format(target));
        assertEquals(Frames.describe(Frames.arp(MacAddr.BROADCAST, MAC_B, 1, MAC_B, SERVER, 0, target)),
                Frames.describe(f));
    }

    static final long MAC_C = MacAddr.parse("02:00:00:00:00:0c");

    /**
     * RFC 2131 §3.1 step 2 / §4.4.1: the server probes an address with an ICMP echo request before offering it. Nobody
     * has 10.0.0.100 (the ARP request for it goes unanswered, so the echo never leaves): the offer follows the probe
     * wait, and a retransmitted DISCOVER meanwhile is answered once, with its own xid.
     */
    @Test
    void probe_noAnswer_offerAfterTheProbeWait() {
        probingServer();
        long t0 = fx.now;
        broadcast(Dhcp4Repr.DISCOVER, m -> m.xid = 1);
        arpRequestFor(ip("10.0.0.100"));
        assertNull(fx.link.take(), "no offer while probing");
        assertEquals(1, srv.counter(Dhcp4Server.Counter.PROBES_SENT));
        broadcast(Dhcp4Repr.DISCOVER, m -> { }); // the client retransmits (xid 0x0a0b0c0d)
        assertNull(fx.link.take(), "still probing: no second probe, no offer");
        fx.settle(t0 + SEC / 2 - 1);
        assertNull(fx.link.take());
        fx.settle(t0 + SEC / 2);
        byte[] next = fx.link.take();
        while (next != null && Frames.describe(next).startsWith("ARP")) {
            next = fx.link.take(); // ARP retransmissions for the echo (RFC 1122 §2.3.2.1: about one a second)
        }
        assertTrue(next != null, "the offer");
        // the echo request that waited for ARP was dropped with the probe: it does not follow the offer to the client
        Sent o = DhcpFrames.decode(next);
        assertEquals(Dhcp4Repr.typeName(Dhcp4Repr.OFFER), Dhcp4Repr.typeName(o.type()));
        assertNull(fx.link.take());
        assertEquals(0x0a0b0c0d, o.m().xid, "answers the latest DISCOVER");
        assertEquals(ip("10.0.0.100"), o.m().yiaddr);
        assertEquals(1, srv.counter(Dhcp4Server.Counter.PROBES_SENT));
        assertEquals(0, srv.counter(Dhcp4Server.Counter.PROBE_CONFLICTS));
    }

    /**
     * Another host answers the probe of 10.0.0.100: that address is set aside (as a declined one) and the next, 10.0.0.101,
     * is probed and offered.
     */
    @Test
    void probe_answered_theAddressIsSetAside_theNextOneOffered() {
        probingServer();
        long t0 = fx.now;
        broadcast(Dhcp4Repr.DISCOVER, m -> { });
        arpRequestFor(ip("10.0.0.100"));
        // C has 10.0.0.100: its ARP reply releases the echo request, which C answers
        fx.receive(Frames.arp(MAC_B, MAC_C, 2, MAC_C, ip("10.0.0.100"), MAC_B, SERVER));
        byte[] echo = fx.link.take();
        assertTrue(echo != null && Frames.describe(echo).contains("ICMP"), "the echo request");
        int id = ((echo[14 + 20 + 4] & 0xff) << 8) | (echo[14 + 20 + 5] & 0xff);
        int seq = ((echo[14 + 20 + 6] & 0xff) << 8) | (echo[14 + 20 + 7] & 0xff);
        fx.receive(Frames.pingFrame(MAC_B, MAC_C, ip("10.0.0.100"), SERVER, false, id, seq, new byte[0]));
        fx.settle(t0 + SEC / 2);
        assertEquals(1, srv.counter(Dhcp4Server.Counter.PROBE_CONFLICTS));
        arpRequestFor(ip("10.0.0.101"));
        assertNull(fx.link.take(), "no offer of 10.0.0.100");
        fx.settle(t0 + SEC);
        Sent o = reply(Dhcp4Repr.OFFER);
        assertEquals(ip("10.0.0.101"), o.m().yiaddr);
        assertEquals(2, srv.counter(Dhcp4Server.Counter.PROBES_SENT));
    }

    @AfterEach
    void tearDown() {
        srv.close();
        fx.close();
    }

    /** A client message from A (op BOOTREQUEST) from {@code src} to {@code dst}. */
    void send(int src, int dst, long dstMac, int type, Consumer<Dhcp4Repr> more) {
        Dhcp4Repr m = new Dhcp4Repr().clear();
        m.op = Dhcp4Packet.OP_BOOTREQUEST;
        m.xid = 0x0a0b0c0d;
        m.chaddr = MAC_A;
        m.messageType = type;
        more.accept(m);
        fx.receive(Frames.udpFrame(dstMac, MAC_A, src, dst, 68, 67, DhcpFrames.bytes(m)));
    }

    void broadcast(int type, Consumer<Dhcp4Repr> more) {
        send(0, BCAST, MacAddr.BROADCAST, type, more);
    }

    /** The next frame: a reply from the server (67 -> 68 unless relayed). */
    Sent reply(int type) {
        byte[] f = fx.link.take();
        assertTrue(f != null, "expected " + Dhcp4Repr.typeName(type));
        Sent s = DhcpFrames.decode(f);
        assertEquals(Dhcp4Repr.typeName(type), Dhcp4Repr.typeName(s.type()), s.m().toString());
        assertEquals(Dhcp4Packet.OP_BOOTREPLY, s.m().op);
        assertEquals(0x0a0b0c0d, s.m().xid);
        assertEquals(MAC_A, s.m().chaddr);
        assertEquals(SERVER, s.src());
        assertEquals(SERVER, s.m().serverId);
        assertEquals(67, s.sport());
        return s;
    }

    @Test
    void discover_offer_unicastToYiaddrAndChaddr_thenRequest_ack() {
        broadcast(Dhcp4Repr.DISCOVER, m -> { });
        Sent o = reply(Dhcp4Repr.OFFER);
        // RFC 2131 §4.1: no BROADCAST bit, no ciaddr: unicast to yiaddr at chaddr, without ARP
        assertEquals(ip("10.0.0.100"), o.m().yiaddr);
        assertEquals(ip("10.0.0.100"), o.dst());
        assertEquals(MAC_A, o.dstMac());
        assertEquals(68, o.dport());
        assertEquals(600, o.m().leaseTime);
        assertEquals(24, o.m().prefixLength);
        assertEquals(ip("10.0.0.1"), o.m().routers[0]);
        assertEquals(ip("10.0.0.53"), o.m().dns[0]);
        assertEquals("lab", o.m().domainName);
        assertEquals(ip("10.0.0.255"), o.m().broadcast);
        broadcast(Dhcp4Repr.REQUEST, m -> {
            m.serverId = SERVER;
            m.requestedIp = ip("10.0.0.100");
        });
        Sent a = reply(Dhcp4Repr.ACK);
        assertEquals(ip("10.0.0.100"), a.m().yiaddr);
        assertEquals(1, srv.leases(fx.now).size());
        assertTrue(srv.leases(fx.now).get(0).bound());
    }

    @Test
    void broadcastBit_broadcastsTheReply() {
        broadcast(Dhcp4Repr.DISCOVER, m -> m.flags = Dhcp4Packet.FLAG_BROADCAST);
        Sent o = reply(Dhcp4Repr.OFFER);
        assertEquals(BCAST, o.dst());
        assertEquals(MacAddr.BROADCAST, o.dstMac());
        assertEquals(Dhcp4Packet.FLAG_BROADCAST, o.m().flags);
    }

    @Test
    void requestedAddress_honouredWhenFree_clientIdEchoed() {
        byte[] id = {1, 2, 0, 0, 0, 0, 10};
        broadcast(Dhcp4Repr.DISCOVER, m -> {
            m.requestedIp = ip("10.0.0.105");
            m.clientId = id;
        });
        Sent o = reply(Dhcp4Repr.OFFER);
        assertEquals(ip("10.0.0.105"), o.m().yiaddr);
        assertEquals(java.util.Arrays.toString(id), java.util.Arrays.toString(o.m().clientId), "RFC 6842");
    }

    @Test
    void requestForAnotherServer_isDropped_andTheOfferFreed() {
        broadcast(Dhcp4Repr.DISCOVER, m -> { });
        reply(Dhcp4Repr.OFFER);
        broadcast(Dhcp4Repr.REQUEST, m -> {
            m.serverId = ip("10.0.0.9");
            m.requestedIp = ip("10.0.0.200");
        });
        assertNull(fx.link.take());
        assertEquals(1, srv.counter(Dhcp4Server.Counter.DROP_OTHER_SERVER));
        assertEquals(0, srv.leases(fx.now).size());
    }

    @Test
    void requestSelecting_withoutOurOffer_isNakedByBroadcast() {
        broadcast(Dhcp4Repr.REQUEST, m -> {
            m.serverId = SERVER;
            m.requestedIp = ip("10.0.0.107");
        });
        Sent n = reply(Dhcp4Repr.NAK);
        assertEquals(BCAST, n.dst(), "§4.1: DHCPNAK is broadcast when giaddr is 0");
        assertEquals(0, n.m().yiaddr);
        assertEquals(-1, n.m().leaseTime);
    }

    @Test
    void initReboot_rightNetwork_ack_wrongNetwork_nak() {
        broadcast(Dhcp4Repr.REQUEST, m -> m.requestedIp = ip("10.0.0.103"));
        assertEquals(ip("10.0.0.103"), reply(Dhcp4Repr.ACK).m().yiaddr);
        broadcast(Dhcp4Repr.REQUEST, m -> m.requestedIp = ip("192.168.1.7"));
        reply(Dhcp4Repr.NAK);
    }

    @Test
    void renewing_ackUnicastToCiaddr_extendsTheLease() {
        broadcast(Dhcp4Repr.REQUEST, m -> m.requestedIp = ip("10.0.0.103"));
        reply(Dhcp4Repr.ACK);
        long firstEnd = srv.leases(fx.now).get(0).expiresAtNanos();
        fx.at(300 * SEC);
        // the client knows our MAC; we learn its MAC from its ARP for us before it sends
        fx.receive(Frames.arp(MAC_B, MAC_A, 1, MAC_A, ip("10.0.0.103"), 0L, SERVER));
        fx.link.takeAll();
        send(ip("10.0.0.103"), SERVER, MAC_B, Dhcp4Repr.REQUEST, m -> m.ciaddr = ip("10.0.0.103"));
        Sent a = reply(Dhcp4Repr.ACK);
        assertEquals(ip("10.0.0.103"), a.dst());
        assertEquals(ip("10.0.0.103"), a.m().ciaddr);
        assertEquals(firstEnd + 300 * SEC, srv.leases(fx.now).get(0).expiresAtNanos());
    }

    @Test
    void renewing_foreignAddress_isNaked() {
        send(ip("10.0.0.77"), BCAST, MacAddr.BROADCAST, Dhcp4Repr.REQUEST, m -> m.ciaddr = ip("10.0.0.77"));
        reply(Dhcp4Repr.NAK);
    }

    @Test
    void decline_setsTheAddressAside_release_freesIt() {
        broadcast(Dhcp4Repr.DISCOVER, m -> { });
        assertEquals(ip("10.0.0.100"), reply(Dhcp4Repr.OFFER).m().yiaddr);
        broadcast(Dhcp4Repr.DECLINE, m -> {
            m.serverId = SERVER;
            m.requestedIp = ip("10.0.0.100");
        });
        assertNull(fx.link.take());
        broadcast(Dhcp4Repr.DISCOVER, m -> { });
        assertEquals(ip("10.0.0.101"), reply(Dhcp4Repr.OFFER).m().yiaddr, "§4.3.3: .100 is not available");
        broadcast(Dhcp4Repr.REQUEST, m -> {
            m.serverId = SERVER;
            m.requestedIp = ip("10.0.0.101");
        });
        reply(Dhcp4Repr.ACK);
        send(ip("10.0.0.101"), SERVER, MAC_B, Dhcp4Repr.RELEASE, m -> {
            m.ciaddr = ip("10.0.0.101");
            m.serverId = SERVER;
        });
        assertEquals(0, srv.leases(fx.now).size());
    }

    @Test
    void inform_ackWithoutLeaseOrAddress() {
        fx.receive(Frames.arp(MAC_B, MAC_A, 1, MAC_A, ip("10.0.0.50"), 0L, SERVER));
        fx.link.takeAll();
        send(ip("10.0.0.50"), SERVER, MAC_B, Dhcp4Repr.INFORM, m -> m.ciaddr = ip("10.0.0.50"));
        Sent a = reply(Dhcp4Repr.ACK);
        assertEquals(ip("10.0.0.50"), a.dst());
        assertEquals(0, a.m().yiaddr);
        assertEquals(-1, a.m().leaseTime, "§4.3.5: MUST NOT send a lease expiration time");
        assertEquals(ip("10.0.0.1"), a.m().routers[0]);
    }

    @Test
    void relayed_replyGoesToGiaddrPort67() {
        fx.receive(Frames.arp(MAC_B, MAC_A, 1, MAC_A, ip("10.0.0.1"), 0L, SERVER));
        fx.link.takeAll();
        send(ip("10.0.0.1"), SERVER, MAC_B, Dhcp4Repr.DISCOVER, m -> {
            m.giaddr = ip("10.0.0.1");
            m.hops = 1;
        });
        byte[] f = fx.link.take();
        Sent o = DhcpFrames.decode(f);
        assertEquals(ip("10.0.0.1"), o.dst());
        assertEquals(67, o.dport());
    }

    @Test
    void malformedAndWrongOp_areCounted() {
        fx.receive(Frames.udpFrame(MacAddr.BROADCAST, MAC_A, 0, BCAST, 68, 67, new byte[100]));
        send(0, BCAST, MacAddr.BROADCAST, Dhcp4Repr.DISCOVER, m -> m.op = Dhcp4Packet.OP_BOOTREPLY);
        send(0, BCAST, MacAddr.BROADCAST, 0, m -> { });
        assertNull(fx.link.take());
        assertEquals(1, srv.counter(Dhcp4Server.Counter.DROP_MALFORMED));
        assertEquals(1, srv.counter(Dhcp4Server.Counter.DROP_NOT_REQUEST));
        assertEquals(1, srv.counter(Dhcp4Server.Counter.DROP_NO_MESSAGE_TYPE));
    }

    @Test
    void poolExhausted_noOffer() {
        for (int i = 0; i < 11; i++) {
            final long mac = 0x020000000100L + i;
            Dhcp4Repr m = new Dhcp4Repr().clear();
            m.op = 1;
            m.xid = i;
            m.chaddr = mac;
            m.messageType = Dhcp4Repr.DISCOVER;
            m.flags = Dhcp4Packet.FLAG_BROADCAST;
            fx.receive(Frames.udpFrame(MacAddr.BROADCAST, mac, 0, BCAST, 68, 67, DhcpFrames.bytes(m)));
        }
        assertEquals(11, fx.link.takeAll().size());
        broadcast(Dhcp4Repr.DISCOVER, m -> { });
        assertNull(fx.link.take());
        assertEquals(1, srv.counter(Dhcp4Server.Counter.NO_ADDRESS));
    }
}

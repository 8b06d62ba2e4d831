package io.ioth.tcpip.dhcp;

import io.ioth.tcpip.dhcp.DhcpFrames.Sent;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.Frames;
import io.ioth.tcpip.testing.Hex;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.wire.ArpPacket;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static io.ioth.tcpip.dhcp.DhcpFrames.ip;
import static io.ioth.tcpip.testing.StackFixture.MAC_A;
import static io.ioth.tcpip.testing.StackFixture.MAC_B;
import static io.ioth.tcpip.testing.StackFixture.MS;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DHCPv4 client as packet traces in simulated time: one stack (B, 02:00:00:00:00:0b, no address) on a
 * {@link io.ioth.tcpip.testing.TraceLink}; the test plays the server (10.0.0.1, 02:00:00:00:00:0a) by injecting
 * its replies and reads what the client sends.
 */
class Dhcp4ClientTraceTest {
    static final int SERVER = ip("10.0.0.1");
    static final int YIADDR = ip("10.0.0.2");
    static final int DNS = ip("10.0.0.53");
    static final int BCAST = Ipv4Addr.BROADCAST;

    StackFixture fx;
    Dhcp4Client client;
    final List<String> events = new ArrayList<>();

    @AfterEach
    void tearDown() {
        if (fx != null) {
            fx.close();
        }
    }

    void start(Dhcp4ClientConfig.Builder cfg) {
        fx = new StackFixture(StackConfig.builder().name("B").seed(1).arpAnnounce(1, 2 * SEC), false);
        client = new Dhcp4Client(fx.stack.udp(), fx.eth0, cfg.build(), new Dhcp4Client.Listener() {
            @Override
            public void onBound(Dhcp4Client c, Dhcp4Lease l) {
                events.add("bound " + l.cidr() + " @" + fx.now / MS);
            }

            @Override
            public void onRenewed(Dhcp4Client c, Dhcp4Lease l) {
                events.add("renewed " + l.cidr() + " @" + fx.now / MS);
            }

            @Override
            public void onLost(Dhcp4Client c, Dhcp4Lease l, Dhcp4Client.LossReason r) {
                events.add("lost " + l.cidr() + " " + r + " @" + fx.now / MS);
            }
        });
        client.start(fx.now);
        fx.settle(fx.now);
    }

    void start() {
        start(Dhcp4ClientConfig.builder());
    }

    /** Runs simulated time to {@code t}, stopping at every deadline on the way. */
    void runUntil(long t) {
        while (fx.stack.nextDeadline() <= t) {
            fx.settle(Math.max(fx.now, fx.stack.nextDeadline()));
        }
        fx.settle(t);
    }

    /** The next frame, which must be a DHCP message of {@code type}. */
    Sent expect(int type) {
        byte[] f = fx.link.take();
        assertTrue(f != null, "expected " + Dhcp4Repr.typeName(type) + ", nothing sent");
        Sent s = DhcpFrames.decode(f);
        assertEquals(Dhcp4Repr.typeName(type), Dhcp4Repr.typeName(s.type()), s.m().toString());
        assertEquals(68, s.sport());
        assertEquals(67, s.dport());
        assertEquals(MAC_B, s.srcMac());
        assertEquals(MAC_B, s.m().chaddr);
        assertEquals(Dhcp4Packet.OP_BOOTREQUEST, s.m().op);
        return s;
    }

    void expectNothing() {
        byte[] f = fx.link.take();
        assertNull(f, () -> "unexpected " + Frames.describe(f));
    }

    /** Nothing but ARP (neighbour reachability probes of the server's entry). */
    void expectNoDhcp() {
        for (byte[] f : fx.link.takeAll()) {
            assertEquals(EtherType.ARP, (f[12] & 0xff) << 8 | (f[13] & 0xff), () -> "unexpected " + Frames.describe(f));
        }
    }

    /** The next DHCP message; the server (the test) answers the ARP requests for its address meanwhile. */
    Sent expectSkippingArp(int type) {
        byte[] f;
        while ((f = fx.link.take()) != null && ((f[12] & 0xff) << 8 | (f[13] & 0xff)) == EtherType.ARP) {
            if (f[21] == ArpPacket.OP_REQUEST && Arrays.equals(Arrays.copyOfRange(f, 38, 42), new byte[] {10, 0, 0, 1})) {
                fx.receive(Frames.arp(MAC_B, MAC_A, ArpPacket.OP_REPLY, MAC_A, SERVER, MAC_B, YIADDR));
            }
        }
        assertTrue(f != null, "expected " + Dhcp4Repr.typeName(type));
        Sent s = DhcpFrames.decode(f);
        assertEquals(Dhcp4Repr.typeName(type), Dhcp4Repr.typeName(s.type()));
        return s;
    }

    /** A reply of the server to the client's transaction {@code xid}. */
    byte[] reply(int xid, int type, int dst, long dstMac, Consumer<Dhcp4Repr> more) {
        Dhcp4Repr r = DhcpFrames.reply(xid, MAC_B, m -> {
            m.messageType = type;
            m.serverId = SERVER;
            if (type != Dhcp4Repr.NAK) {
                m.yiaddr = YIADDR;
                m.leaseTime = 600;
                m.prefixLength = 24;
                m.routers[0] = SERVER;
                m.routerCount = 1;
                m.dns[0] = DNS;
                m.dnsCount = 1;
                m.domainName = "lab";
            }
            more.accept(m);
        });
        return DhcpFrames.frame(dstMac, MAC_A, SERVER, dst, DhcpFrames.bytes(r));
    }

    byte[] offer(int xid) {
        return reply(xid, Dhcp4Repr.OFFER, BCAST, MacAddr.BROADCAST, m -> { });
    }

    byte[] ack(int xid) {
        return reply(xid, Dhcp4Repr.ACK, YIADDR, MAC_B, m -> { }); // unicast to yiaddr / chaddr (RFC 2131 §4.1)
    }

    /** The two ARP probes (RFC 5227 §2.1.1) and the end of the check. */
    void passProbes() {
        long t0 = fx.now;
        runUntil(t0 + 2 * SEC);
        List<byte[]> out = fx.link.takeAll();
        assertEquals(3, out.size(), () -> out.stream().map(Frames::describe).toList().toString());
        for (int i = 0; i < 2; i++) {
            byte[] p = out.get(i);
            assertEquals(Frames.arp(MacAddr.BROADCAST, MAC_B, ArpPacket.OP_REQUEST, MAC_B, 0, 0L, YIADDR).length,
                    p.length);
            assertArrayEquals(Frames.arp(MacAddr.BROADCAST, MAC_B, ArpPacket.OP_REQUEST, MAC_B, 0, 0L, YIADDR), p,
                    "ARP probe: sender IP 0.0.0.0, target " + Ipv4Addr.format(YIADDR));
        }
        // then the address is configured and announced (RFC 5227 §2.3: sender = target = the address)
        assertArrayEquals(Frames.arp(MacAddr.BROADCAST, MAC_B, ArpPacket.OP_REQUEST, MAC_B, YIADDR, 0L, YIADDR),
                out.get(2));
    }

    /** DISCOVER, OFFER, REQUEST, ACK, probes: bound at ~0.7 s. @return the xid */
    int bindNormally() {
        Sent d = expect(Dhcp4Repr.DISCOVER);
        fx.receive(offer(d.m().xid));
        Sent r = expect(Dhcp4Repr.REQUEST);
        fx.receive(ack(r.m().xid));
        assertEquals(Dhcp4Client.State.PROBING, client.state());
        passProbes();
        assertEquals(Dhcp4Client.State.BOUND, client.state());
        return d.m().xid;
    }

    // ================================================================ the normal lease

    @Test
    void normalLease_discoverOfferRequestAck_probe_bound() {
        start(Dhcp4ClientConfig.builder().fqdn("b.lab"));
        Sent d = expect(Dhcp4Repr.DISCOVER);
        // RFC 2131 §4.1: from 0.0.0.0 to 255.255.255.255, link broadcast
        assertEquals(MacAddr.BROADCAST, d.dstMac());
        assertEquals(0, d.src());
        assertEquals(BCAST, d.dst());
        assertEquals(0, d.m().ciaddr);
        assertEquals(0, d.m().secs);
        assertEquals(0, d.m().flags);
        // the options, byte for byte: cookie, 53 DISCOVER, 61 client id 01+MAC, 12 "b", 81 flags E|S rcode 0 0
        // "\1b\3lab\0" (RFC 4702 canonical form), 57 max size 1500, 55 (1 3 6 15 26 28 51 58 59 119), end
        byte[] opts = Arrays.copyOfRange(d.dhcpBytes(), 236, 236 + 48);
        assertEquals("63825363" + "350101" + "3d070102000000000b" + "0c0162" + "510a0500000162036c616200"
                + "390205dc" + "370a0103060f1a1c333a3b77" + "ff", Hex.encode(opts).replace(" ", ""));
        assertEquals(300, d.dhcpBytes().length, "RFC 1542 §3.1.1: padded to 300 bytes");
        fx.receive(offer(d.m().xid));
        Sent r = expect(Dhcp4Repr.REQUEST);
        assertEquals(d.m().xid, r.m().xid, "§4.4.1: the REQUEST uses the xid of the DISCOVER");
        assertEquals(BCAST, r.dst());
        assertEquals(0, r.src());
        assertEquals(0, r.m().ciaddr);
        assertEquals(YIADDR, r.m().requestedIp, "option 50 = yiaddr");
        assertEquals(SERVER, r.m().serverId, "option 54 = the chosen server");
        fx.receive(ack(r.m().xid));
        assertEquals(List.of(), events, "not bound before the ARP check");
        assertEquals(0, fx.eth0.ipv4Addresses().length);
        passProbes();
        assertEquals(Dhcp4Client.State.BOUND, client.state());
        assertArrayEquals(new int[] {YIADDR}, fx.eth0.ipv4Addresses());
        assertEquals(24, fx.eth0.ipv4PrefixLength(YIADDR));
        assertTrue(fx.stack.routes().toString().contains("default via 10.0.0.1 dev eth0"), fx.stack.routes().toString());
        Dhcp4Lease l = client.lease();
        assertEquals("lease 10.0.0.2/24 from 10.0.0.1 router 10.0.0.1 dns 10.0.0.53 domain lab 600s", l.toString());
        assertEquals(300 * SEC, l.renewAtNanos(), "T1 = 0.5 lease from the first REQUEST (t=0)");
        assertEquals(525 * SEC, l.rebindAtNanos(), "T2 = 0.875 lease");
        assertEquals(600 * SEC, l.expiresAtNanos());
        assertEquals(1, events.size());
        assertTrue(events.get(0).startsWith("bound 10.0.0.2/24"), events.toString());
        assertFalse(fx.eth0.isDhcpClientReceive(), "unicast to other addresses is not ours any more");
        assertEquals(1, client.counter(Dhcp4Client.Counter.OFFERS_RECEIVED));
        assertEquals(1, client.counter(Dhcp4Client.Counter.ACKS_RECEIVED));
    }

    /** RFC 2131 §4.1: the server may unicast the OFFER to yiaddr/chaddr before the address is configured. */
    @Test
    void unicastOffer_toTheUnconfiguredAddress_isReceived() {
        start();
        Sent d = expect(Dhcp4Repr.DISCOVER);
        fx.receive(reply(d.m().xid, Dhcp4Repr.OFFER, YIADDR, MAC_B, m -> { }));
        expect(Dhcp4Repr.REQUEST);
        assertEquals(0, fx.drops(DropReason.IP4_NOT_FOR_US));
    }

    // ================================================================ renew, rebind, expiry

    @Test
    void renewingAtT1_unicastToTheServer_ackExtends() {
        start();
        bindNormally();
        runUntil(300 * SEC - MS);
        expectNothing();
        runUntil(300 * SEC + 5 * MS);
        // the unicast needs the server's MAC first
        byte[] arp = fx.link.take();
        assertArrayEquals(Frames.arp(MacAddr.BROADCAST, MAC_B, ArpPacket.OP_REQUEST, MAC_B, YIADDR, 0L, SERVER), arp);
        fx.receive(Frames.arp(MAC_B, MAC_A, ArpPacket.OP_REPLY, MAC_A, SERVER, MAC_B, YIADDR));
        Sent r = expect(Dhcp4Repr.REQUEST);
        assertEquals(Dhcp4Client.State.RENEWING, client.state());
        // §4.3.2 RENEWING: unicast from the leased address, ciaddr set, no options 50/54
        assertEquals(MAC_A, r.dstMac());
        assertEquals(YIADDR, r.src());
        assertEquals(SERVER, r.dst());
        assertEquals(YIADDR, r.m().ciaddr);
        assertEquals(0, r.m().requestedIp);
        assertEquals(0, r.m().serverId);
        fx.receive(ack(r.m().xid));
        assertEquals(Dhcp4Client.State.BOUND, client.state());
        // §4.4.1: the lease runs from when the request was first sent (t=300 s; it waited 5 ms for ARP)
        assertEquals(600 * SEC, client.lease().renewAtNanos(), "the new lease runs from the renewal");
        assertEquals(List.of("bound", "renewed"), events.stream().map(e -> e.split(" ")[0]).toList());
        assertArrayEquals(new int[] {YIADDR}, fx.eth0.ipv4Addresses());
    }

    @Test
    void noAnswerInRenewing_rebindsAtT2_broadcast_thenAck() {
        start();
        bindNormally();
        runUntil(300 * SEC + 5 * MS);
        fx.link.takeAll(); // ARP request + nothing (unresolved)
        fx.receive(Frames.arp(MAC_B, MAC_A, ArpPacket.OP_REPLY, MAC_A, SERVER, MAC_B, YIADDR));
        Sent r1 = expect(Dhcp4Repr.REQUEST);
        // §4.4.5: retransmit after half the time left to T2 (112.5 s), then not less than 60 s, then T2
        runUntil(412 * SEC);
        expectNoDhcp();
        runUntil(413 * SEC);
        Sent r2 = expectSkippingArp(Dhcp4Repr.REQUEST);
        assertEquals(r1.m().xid, r2.m().xid);
        assertEquals(SERVER, r2.dst());
        runUntil(472 * SEC);
        expectNoDhcp();
        runUntil(473 * SEC);
        expectSkippingArp(Dhcp4Repr.REQUEST);
        runUntil(525 * SEC - MS);
        expectNoDhcp();
        runUntil(525 * SEC + 5 * MS);
        Sent rb = expectSkippingArp(Dhcp4Repr.REQUEST);
        assertEquals(Dhcp4Client.State.REBINDING, client.state());
        assertEquals(MacAddr.BROADCAST, rb.dstMac());
        assertEquals(BCAST, rb.dst());
        assertEquals(YIADDR, rb.src(), "REBINDING: broadcast from the leased address");
        assertEquals(YIADDR, rb.m().ciaddr);
        assertEquals(0, rb.m().serverId);
        assertNotEquals(r1.m().xid, rb.m().xid);
        fx.receive(ack(rb.m().xid));
        assertEquals(Dhcp4Client.State.BOUND, client.state());
        assertEquals(List.of("bound", "renewed"), events.stream().map(e -> e.split(" ")[0]).toList());
    }

    @Test
    void noAnswerAtAll_leaseExpires_addressAndRouteRemoved_discoveryRestarts() {
        start();
        bindNormally();
        runUntil(525 * SEC + 5 * MS);
        fx.link.takeAll();
        assertEquals(Dhcp4Client.State.REBINDING, client.state());
        runUntil(600 * SEC - MS);
        fx.link.takeAll();
        assertEquals(1, fx.eth0.ipv4Addresses().length);
        runUntil(600 * SEC + 5 * MS);
        assertEquals(0, fx.eth0.ipv4Addresses().length, "RFC 2131 §4.4.5: the address goes at expiry");
        assertFalse(fx.stack.routes().toString().contains("0.0.0.0/0"), fx.stack.routes().toString());
        assertEquals(List.of("bound", "lost"), events.stream().map(e -> e.split(" ")[0]).toList());
        assertTrue(events.get(1).contains("EXPIRED"), events.toString());
        assertEquals(1, client.counter(Dhcp4Client.Counter.LEASES_EXPIRED));
        Sent d = expect(Dhcp4Repr.DISCOVER);
        assertEquals(0, d.src());
        assertEquals(Dhcp4Client.State.SELECTING, client.state());
        assertTrue(fx.eth0.isDhcpClientReceive());
    }

    // ================================================================ retransmission

    /** RFC 2131 §4.1: 4, 8, 16, 32, 64, 64 s, each +-1 s; 'secs' counts from the first DISCOVER. */
    @Test
    void unreachableServer_discoverBackoff_4_8_16_32_64_64() {
        start();
        Sent first = expect(Dhcp4Repr.DISCOVER);
        long last = 0;
        long[] nominal = {4, 8, 16, 32, 64, 64};
        for (long n : nominal) {
            long sentAt = -1;
            long from = last;
            for (long t = from + (n - 1) * SEC - 10 * MS; t <= from + (n + 1) * SEC + 10 * MS; t += 10 * MS) {
                runUntil(t);
                byte[] f = fx.link.take();
                if (f != null) {
                    Sent s = DhcpFrames.decode(f);
                    assertEquals(Dhcp4Repr.DISCOVER, s.type());
                    assertEquals(first.m().xid, s.m().xid, "retransmissions keep the xid");
                    assertEquals(t / SEC, s.m().secs, 1);
                    sentAt = t;
                    break;
                }
            }
            assertTrue(sentAt >= 0, "no retransmission within " + n + "+-1 s after " + from / MS + " ms");
            long gap = sentAt - from;
            assertTrue(gap >= (n - 1) * SEC - 20 * MS && gap <= (n + 1) * SEC + 20 * MS,
                    "gap " + gap / MS + " ms for nominal " + n + " s");
            last = sentAt;
        }
        assertEquals(6, client.counter(Dhcp4Client.Counter.RETRANSMISSIONS));
        assertEquals(Dhcp4Client.State.SELECTING, client.state());
    }

    @Test
    void requestUnanswered_fourRetransmissions_thenDiscoveryRestarts() {
        start();
        Sent d = expect(Dhcp4Repr.DISCOVER);
        fx.receive(offer(d.m().xid));
        expect(Dhcp4Repr.REQUEST);
        for (int i = 0; i < 4; i++) {
            runUntil(fx.now + 70 * SEC);
            expect(Dhcp4Repr.REQUEST);
        }
        runUntil(fx.now + 70 * SEC);
        Sent d2 = expect(Dhcp4Repr.DISCOVER);
        assertNotEquals(d.m().xid, d2.m().xid);
    }

    // ================================================================ NAK

    @Test
    void nakInRequesting_restartsDiscoveryAtOnce() {
        start();
        Sent d = expect(Dhcp4Repr.DISCOVER);
        fx.receive(offer(d.m().xid));
        Sent r = expect(Dhcp4Repr.REQUEST);
        fx.receive(reply(r.m().xid, Dhcp4Repr.NAK, BCAST, MacAddr.BROADCAST, m -> { }));
        Sent d2 = expect(Dhcp4Repr.DISCOVER);
        assertNotEquals(d.m().xid, d2.m().xid);
        assertEquals(1, client.counter(Dhcp4Client.Counter.NAKS_RECEIVED));
        // a second NAK in a row backs off (4 +- 1 s) instead of looping
        fx.receive(offer(d2.m().xid));
        Sent r2 = expect(Dhcp4Repr.REQUEST);
        fx.receive(reply(r2.m().xid, Dhcp4Repr.NAK, BCAST, MacAddr.BROADCAST, m -> { }));
        expectNothing();
        runUntil(fx.now + 5 * SEC + 10 * MS);
        expect(Dhcp4Repr.DISCOVER);
    }

    @Test
    void nakInRenewing_removesTheAddress_andRestarts() {
        start();
        bindNormally();
        runUntil(300 * SEC + 5 * MS);
        fx.link.takeAll();
        fx.receive(Frames.arp(MAC_B, MAC_A, ArpPacket.OP_REPLY, MAC_A, SERVER, MAC_B, YIADDR));
        Sent r = expect(Dhcp4Repr.REQUEST);
        fx.receive(reply(r.m().xid, Dhcp4Repr.NAK, BCAST, MacAddr.BROADCAST, m -> { }));
        assertEquals(0, fx.eth0.ipv4Addresses().length);
        assertTrue(events.get(events.size() - 1).contains("lost 10.0.0.2/24 NAK"), events.toString());
        expect(Dhcp4Repr.DISCOVER);
    }

    @Test
    void nakFromAnotherServer_isIgnored() {
        start();
        Sent d = expect(Dhcp4Repr.DISCOVER);
        fx.receive(offer(d.m().xid));
        Sent r = expect(Dhcp4Repr.REQUEST);
        fx.receive(reply(r.m().xid, Dhcp4Repr.NAK, BCAST, MacAddr.BROADCAST, m -> m.serverId = ip("10.0.0.9")));
        expectNothing();
        assertEquals(Dhcp4Client.State.REQUESTING, client.state());
        assertEquals(1, client.counter(Dhcp4Client.Counter.DROP_UNEXPECTED));
    }

    // ================================================================ hostile and malformed input

    @Test
    void hostileOffers_areRefused_thenAGoodOneIsTaken() {
        start();
        Sent d = expect(Dhcp4Repr.DISCOVER);
        int x = d.m().xid;
        String[] bad = {"0.0.0.0", "255.255.255.255", "224.0.0.5", "239.1.2.3", "127.0.0.1", "240.0.0.1",
            "250.1.2.3", "0.1.2.3", "10.0.0.0", "10.0.0.255"};
        for (String a : bad) {
            fx.receive(reply(x, Dhcp4Repr.OFFER, BCAST, MacAddr.BROADCAST, m -> m.yiaddr = ip(a)));
        }
        assertEquals(bad.length, client.counter(Dhcp4Client.Counter.REFUSED_BAD_ADDRESS));
        fx.receive(reply(x, Dhcp4Repr.OFFER, BCAST, MacAddr.BROADCAST, m -> m.leaseTime = 0));
        fx.receive(reply(x, Dhcp4Repr.OFFER, BCAST, MacAddr.BROADCAST, m -> m.leaseTime = -1));
        assertEquals(2, client.counter(Dhcp4Client.Counter.REFUSED_BAD_LEASE));
        fx.receive(reply(x, Dhcp4Repr.OFFER, BCAST, MacAddr.BROADCAST, m -> m.serverId = 0));
        fx.receive(reply(x, Dhcp4Repr.OFFER, BCAST, MacAddr.BROADCAST, m -> m.serverId = BCAST));
        fx.receive(reply(x, Dhcp4Repr.OFFER, BCAST, MacAddr.BROADCAST, m -> m.serverId = ip("224.0.0.1")));
        assertEquals(3, client.counter(Dhcp4Client.Counter.REFUSED_BAD_SERVER_ID));
        expectNothing();
        assertEquals(Dhcp4Client.State.SELECTING, client.state());
        fx.receive(offer(x));
        expect(Dhcp4Repr.REQUEST);
    }

    @Test
    void hostileAck_isRefused_addressNeverConfigured() {
        start();
        Sent d = expect(Dhcp4Repr.DISCOVER);
        fx.receive(offer(d.m().xid));
        Sent r = expect(Dhcp4Repr.REQUEST);
        fx.receive(reply(r.m().xid, Dhcp4Repr.ACK, YIADDR, MAC_B, m -> m.leaseTime = 0));
        runUntil(fx.now + 2 * SEC);
        assertEquals(Dhcp4Client.State.REQUESTING, client.state());
        assertEquals(0, fx.eth0.ipv4Addresses().length);
        assertEquals(1, client.counter(Dhcp4Client.Counter.REFUSED_BAD_LEASE));
    }

    @Test
    void malformedReplies_areCountedAndDropped() {
        start();
        Sent d = expect(Dhcp4Repr.DISCOVER);
        int x = d.m().xid;
        byte[] good = DhcpFrames.bytes(DhcpFrames.reply(x, MAC_B, m -> {
            m.messageType = Dhcp4Repr.OFFER;
            m.serverId = SERVER;
            m.yiaddr = YIADDR;
            m.leaseTime = 600;
        }));
        // truncated BOOTP header
        inject(Arrays.copyOf(good, 200));
        // op BOOTREQUEST
        inject(patched(good, 0, 1));
        // bad magic cookie
        inject(patched(good, 236, 0x64));
        // another transaction
        inject(patched(good, 4, good[4] ^ 0x55));
        // another client's chaddr
        inject(patched(good, 28 + 5, 0x0c));
        // option 53 whose length runs past the end of the message: 35 ff ...
        byte[] overrun = Arrays.copyOf(good, 243);
        overrun[240] = 53;
        overrun[241] = (byte) 0xff;
        inject(overrun);
        // option 51 with length 3
        byte[] badLen = good.clone();
        badLen[243 + 6 + 1] = 3; // 35 01 02 | 36 04 xx xx xx xx | 33 04 -> 33 03
        inject(badLen);
        // no message type
        inject(DhcpFrames.bytes(DhcpFrames.reply(x, MAC_B, m -> {
            m.serverId = SERVER;
            m.yiaddr = YIADDR;
            m.leaseTime = 600;
        })));
        // hlen 16 (not Ethernet)
        inject(patched(good, 2, 16));
        assertEquals(1, client.counter(Dhcp4Client.Counter.DROP_TRUNCATED));
        assertEquals(1, client.counter(Dhcp4Client.Counter.DROP_NOT_REPLY));
        assertEquals(1, client.counter(Dhcp4Client.Counter.DROP_BAD_MAGIC));
        assertEquals(1, client.counter(Dhcp4Client.Counter.DROP_WRONG_XID));
        assertEquals(1, client.counter(Dhcp4Client.Counter.DROP_WRONG_CHADDR));
        assertEquals(2, client.counter(Dhcp4Client.Counter.DROP_MALFORMED), "overrun + bad option length");
        assertEquals(1, client.counter(Dhcp4Client.Counter.DROP_NO_MESSAGE_TYPE));
        assertEquals(1, client.counter(Dhcp4Client.Counter.DROP_UNSUPPORTED_HW));
        expectNothing();
        assertEquals(Dhcp4Client.State.SELECTING, client.state());
        inject(good);
        expect(Dhcp4Repr.REQUEST);
    }

    private static byte[] patched(byte[] m, int index, int value) {
        byte[] c = m.clone();
        c[index] = (byte) value;
        return c;
    }

    private void inject(byte[] dhcp) {
        fx.receive(DhcpFrames.frame(MacAddr.BROADCAST, MAC_A, SERVER, BCAST, dhcp));
    }

    // ================================================================ ARP conflict, INIT-REBOOT, release

    /** RFC 5227 §2.1.1 + RFC 2131 §4.4.1: a host answering for the offered address -> DHCPDECLINE, 10 s, restart. */
    @Test
    void arpConflictWhileProbing_declines_andRestartsAfter10s() {
        start();
        Sent d = expect(Dhcp4Repr.DISCOVER);
        fx.receive(offer(d.m().xid));
        Sent r = expect(Dhcp4Repr.REQUEST);
        fx.receive(ack(r.m().xid));
        runUntil(fx.now + 150 * MS);
        byte[] probe = fx.link.take();
        assertEquals(EtherType.ARP, ((probe[12] & 0xff) << 8) | (probe[13] & 0xff));
        long other = MacAddr.parse("02:00:00:00:00:99");
        fx.receive(Frames.arp(MAC_B, other, ArpPacket.OP_REPLY, other, YIADDR, MAC_B, 0));
        Sent dec = expect(Dhcp4Repr.DECLINE);
        assertEquals(BCAST, dec.dst());
        assertEquals(0, dec.src());
        assertEquals(YIADDR, dec.m().requestedIp);
        assertEquals(SERVER, dec.m().serverId);
        assertEquals(0, dec.m().ciaddr);
        assertEquals(Dhcp4Client.State.DECLINED, client.state());
        assertEquals(0, fx.eth0.ipv4Addresses().length);
        runUntil(fx.now + 9 * SEC);
        expectNothing();
        runUntil(fx.now + 1100 * MS);
        expect(Dhcp4Repr.DISCOVER);
        assertEquals(List.of(), events);
    }

    /** RFC 5227 §2.1.1: another host probing for the same address is a conflict too. */
    @Test
    void anotherHostsProbe_forTheSameAddress_isAConflict() {
        start();
        Sent d = expect(Dhcp4Repr.DISCOVER);
        fx.receive(offer(d.m().xid));
        fx.receive(ack(expect(Dhcp4Repr.REQUEST).m().xid));
        long other = MacAddr.parse("02:00:00:00:00:99");
        fx.receive(Frames.arp(MacAddr.BROADCAST, other, ArpPacket.OP_REQUEST, other, 0, 0L, YIADDR));
        fx.link.takeAll().stream().filter(f -> ((f[12] & 0xff) << 8 | (f[13] & 0xff)) == EtherType.IPV4)
                .map(DhcpFrames::decode).forEach(s -> assertEquals(Dhcp4Repr.DECLINE, s.type()));
        assertEquals(1, client.counter(Dhcp4Client.Counter.ARP_CONFLICTS));
    }

    /** RFC 2131 §3.2: a known address is confirmed with a broadcast REQUEST carrying option 50 and no server id. */
    @Test
    void initReboot_knownAddress_confirmedByAck() {
        start(Dhcp4ClientConfig.builder().requestedAddress("10.0.0.2"));
        Sent r = expect(Dhcp4Repr.REQUEST);
        assertEquals(Dhcp4Client.State.REBOOTING, client.state());
        assertEquals(YIADDR, r.m().requestedIp);
        assertEquals(0, r.m().serverId);
        assertEquals(0, r.m().ciaddr);
        assertEquals(0, r.src());
        assertEquals(BCAST, r.dst());
        fx.receive(ack(r.m().xid));
        passProbes();
        assertEquals(Dhcp4Client.State.BOUND, client.state());
        assertEquals(SERVER, client.lease().serverId());
    }

    @Test
    void initReboot_nak_discovers() {
        start(Dhcp4ClientConfig.builder().requestedAddress("10.9.0.2"));
        Sent r = expect(Dhcp4Repr.REQUEST);
        fx.receive(reply(r.m().xid, Dhcp4Repr.NAK, BCAST, MacAddr.BROADCAST, m -> { }));
        Sent d = expect(Dhcp4Repr.DISCOVER);
        assertEquals(ip("10.9.0.2"), d.m().requestedIp, "the old address as a hint (option 50 MAY)");
    }

    @Test
    void initReboot_silence_discoversAfterTwoRetransmissions() {
        start(Dhcp4ClientConfig.builder().requestedAddress("10.0.0.2"));
        expect(Dhcp4Repr.REQUEST);
        runUntil(5 * SEC + 10 * MS);
        expect(Dhcp4Repr.REQUEST);
        runUntil(14 * SEC + 20 * MS);
        expect(Dhcp4Repr.REQUEST);
        runUntil(31 * SEC + 30 * MS);
        expect(Dhcp4Repr.DISCOVER);
    }

    /** RFC 2131 §4.4.6: closing a bound client sends DHCPRELEASE (unicast, ciaddr) and removes the address. */
    @Test
    void close_releases_andRemovesTheAddress() {
        start();
        bindNormally();
        client.close(fx.now);
        fx.settle(fx.now);
        byte[] arp = fx.link.take(); // the server's MAC first
        assertArrayEquals(Frames.arp(MacAddr.BROADCAST, MAC_B, ArpPacket.OP_REQUEST, MAC_B, YIADDR, 0L, SERVER), arp);
        // the address is gone already: the RELEASE queued behind ARP still leaves (its source is fixed)
        assertEquals(0, fx.eth0.ipv4Addresses().length);
        assertEquals(Dhcp4Client.State.STOPPED, client.state());
        assertTrue(events.get(events.size() - 1).contains("RELEASED"), events.toString());
        assertEquals(1, client.counter(Dhcp4Client.Counter.RELEASES_SENT));
        client.close(fx.now); // idempotent
    }

    @Test
    void close_releases_whenTheServerMacIsKnown() {
        start();
        bindNormally();
        fx.receive(Frames.arp(MAC_B, MAC_A, ArpPacket.OP_REQUEST, MAC_A, SERVER, 0L, YIADDR)); // learn A
        fx.link.takeAll(); // our ARP reply
        client.close(fx.now);
        fx.settle(fx.now);
        Sent rel = expect(Dhcp4Repr.RELEASE);
        assertEquals(MAC_A, rel.dstMac());
        assertEquals(YIADDR, rel.src());
        assertEquals(SERVER, rel.dst());
        assertEquals(YIADDR, rel.m().ciaddr);
        assertEquals(SERVER, rel.m().serverId);
        assertEquals(0, rel.m().requestedIp);
    }

    @Test
    void t1Override_renewsEarly() {
        start(Dhcp4ClientConfig.builder().t1Override(3 * SEC));
        bindNormally();
        assertEquals(3 * SEC, client.lease().renewAtNanos());
        runUntil(3 * SEC + 5 * MS);
        assertEquals(Dhcp4Client.State.RENEWING, client.state());
    }

    @Test
    void serverT1T2_andInfiniteLease() {
        start();
        Sent d = expect(Dhcp4Repr.DISCOVER);
        fx.receive(offer(d.m().xid));
        Sent r = expect(Dhcp4Repr.REQUEST);
        fx.receive(reply(r.m().xid, Dhcp4Repr.ACK, YIADDR, MAC_B, m -> {
            m.renewalTime = 100;
            m.rebindingTime = 200;
            m.mtu = 1400;
        }));
        passProbes();
        assertEquals(100 * SEC, client.lease().renewAtNanos());
        assertEquals(200 * SEC, client.lease().rebindAtNanos());
        assertEquals(1400, client.lease().mtu());
    }

    @Test
    void infiniteLease_neverRenews() {
        start();
        Sent d = expect(Dhcp4Repr.DISCOVER);
        fx.receive(offer(d.m().xid));
        Sent r = expect(Dhcp4Repr.REQUEST);
        fx.receive(reply(r.m().xid, Dhcp4Repr.ACK, YIADDR, MAC_B, m -> m.leaseTime = Dhcp4Repr.INFINITE));
        passProbes();
        assertTrue(client.lease().isInfinite());
        assertEquals(Long.MAX_VALUE, client.lease().expiresAtNanos());
        runUntil(100_000 * SEC);
        expectNothing();
        assertEquals(Dhcp4Client.State.BOUND, client.state());
    }

    // ================================================================ routes, MTU, search list, address defence

    /** NAK in RENEWING: the lease ends (used below to end a lease quickly). */
    void loseLeaseByNak() {
        runUntil(fx.now + 300 * SEC + 5 * MS);
        fx.link.takeAll();
        fx.receive(Frames.arp(MAC_B, MAC_A, ArpPacket.OP_REPLY, MAC_A, SERVER, MAC_B, YIADDR));
        Sent r = expect(Dhcp4Repr.REQUEST);
        fx.receive(reply(r.m().xid, Dhcp4Repr.NAK, BCAST, MacAddr.BROADCAST, m -> { }));
        assertTrue(events.get(events.size() - 1).contains("NAK"), events.toString());
    }

    /** The lease's default route goes with the lease; a static default route via another router stays. */
    @Test
    void leaseEnd_removesOnlyItsOwnDefaultRoute() {
        start();
        fx.stack.routes().addRoute4(0, 0, ip("10.0.0.254"), fx.eth0, 0);
        bindNormally();
        String both = fx.stack.routes().toString();
        assertTrue(both.contains("default via 10.0.0.1 dev eth0") && both.contains("default via 10.0.0.254"), both);
        loseLeaseByNak();
        String after = fx.stack.routes().toString();
        assertFalse(after.contains("via 10.0.0.1 "), after);
        assertTrue(after.contains("default via 10.0.0.254 dev eth0"), "the static route stays: " + after);
    }

    /** A default route identical to the lease's, configured before it, is not the lease's to remove. */
    @Test
    void leaseEnd_keepsAnIdenticalRouteConfiguredBefore() {
        start();
        fx.stack.routes().addRoute4(0, 0, SERVER, fx.eth0, 0);
        bindNormally();
        loseLeaseByNak();
        assertTrue(fx.stack.routes().toString().contains("default via 10.0.0.1 dev eth0"),
                fx.stack.routes().toString());
    }

    /** RFC 2132 §5.1: option 26 sets the interface MTU while the lease lasts; the old one comes back after. */
    @Test
    void mtuOption_appliedWhileBound_restoredWhenTheLeaseEnds() {
        start();
        assertEquals(1500, fx.eth0.mtu());
        Sent d = expect(Dhcp4Repr.DISCOVER);
        fx.receive(offer(d.m().xid));
        Sent r = expect(Dhcp4Repr.REQUEST);
        fx.receive(reply(r.m().xid, Dhcp4Repr.ACK, YIADDR, MAC_B, m -> m.mtu = 1400));
        assertEquals(1500, fx.eth0.mtu(), "not before the address is bound");
        passProbes();
        assertEquals(1400, client.lease().mtu());
        assertEquals(1400, fx.eth0.mtu());
        loseLeaseByNak();
        assertEquals(1500, fx.eth0.mtu(), "restored with the lease's end");
    }

    /** A renewal changing option 26 re-applies it; one above the link's maximum is refused and counted. */
    @Test
    void mtuOption_renewalChangesIt_tooLargeIsRefused() {
        start();
        Sent d = expect(Dhcp4Repr.DISCOVER);
        fx.receive(offer(d.m().xid));
        fx.receive(reply(expect(Dhcp4Repr.REQUEST).m().xid, Dhcp4Repr.ACK, YIADDR, MAC_B, m -> m.mtu = 1400));
        passProbes();
        assertEquals(1400, fx.eth0.mtu());
        runUntil(300 * SEC + 5 * MS);
        fx.link.takeAll();
        fx.receive(Frames.arp(MAC_B, MAC_A, ArpPacket.OP_REPLY, MAC_A, SERVER, MAC_B, YIADDR));
        Sent r = expect(Dhcp4Repr.REQUEST);
        fx.receive(reply(r.m().xid, Dhcp4Repr.ACK, YIADDR, MAC_B, m -> m.mtu = 9000));
        assertEquals(Dhcp4Client.State.BOUND, client.state());
        assertEquals(1500, fx.eth0.mtu(), "9000 > the link's 1500: the lease's old MTU is undone, the new refused");
        assertEquals(1, client.counter(Dhcp4Client.Counter.MTU_REFUSED));
    }

    /** Below RFC 2132 §5.1's minimum of 68 the option is ignored (the lease records 0). */
    @Test
    void mtuOption_below68_isIgnored() {
        start();
        Sent d = expect(Dhcp4Repr.DISCOVER);
        fx.receive(offer(d.m().xid));
        fx.receive(reply(expect(Dhcp4Repr.REQUEST).m().xid, Dhcp4Repr.ACK, YIADDR, MAC_B, m -> m.mtu = 67));
        passProbes();
        assertEquals(0, client.lease().mtu());
        assertEquals(1500, fx.eth0.mtu());
    }

    /** RFC 3397: the search list is recorded in the lease, requested in option 55. */
    @Test
    void searchListOption_isRecordedInTheLease() {
        start();
        Sent d = expect(Dhcp4Repr.DISCOVER);
        assertTrue(new String(d.m().paramList, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf(119) >= 0);
        fx.receive(offer(d.m().xid));
        fx.receive(reply(expect(Dhcp4Repr.REQUEST).m().xid, Dhcp4Repr.ACK, YIADDR, MAC_B,
                m -> m.searchDomains = List.of("eng.apple.com", "marketing.apple.com")));
        passProbes();
        assertEquals(List.of("eng.apple.com", "marketing.apple.com"), client.lease().searchDomains());
        assertTrue(client.lease().toString().contains(" search eng.apple.com,marketing.apple.com "),
                client.lease().toString());
    }

    /**
     * RFC 5227 §2.4 (b): the first conflicting ARP packet for the bound address is answered with one ARP
     * Announcement; after DEFEND_INTERVAL (10 s) the next one is defended again; a second one within 10 s makes
     * the client give the address up: DHCPDECLINE (from 0.0.0.0, option 50 and 54), address and route removed,
     * lost(CONFLICT), and a new DISCOVER after the decline wait.
     */
    @Test
    void boundAddress_defendedOnce_thenGivenUpOnASecondConflictWithin10s() {
        start();
        bindNormally();
        long other = MacAddr.parse("02:00:00:00:00:99");
        byte[] conflict = Frames.arp(MacAddr.BROADCAST, other, ArpPacket.OP_REQUEST, other, YIADDR, 0L, YIADDR);
        byte[] announcement = Frames.arp(MacAddr.BROADCAST, MAC_B, ArpPacket.OP_REQUEST, MAC_B, YIADDR, 0L, YIADDR);
        runUntil(5 * SEC);
        fx.receive(conflict);
        assertArrayEquals(announcement, fx.link.take(), "one ARP Announcement defends the address");
        expectNothing();
        assertEquals(Dhcp4Client.State.BOUND, client.state());
        runUntil(15 * SEC + MS);
        fx.receive(conflict); // 10 s later: a new first conflict, defended again
        assertArrayEquals(announcement, fx.link.take());
        assertEquals(2, client.counter(Dhcp4Client.Counter.ADDRESS_DEFENDED));
        runUntil(24 * SEC);
        fx.receive(conflict); // within DEFEND_INTERVAL of the last defence: give up
        Sent dec = expect(Dhcp4Repr.DECLINE);
        assertEquals(0, dec.src());
        assertEquals(BCAST, dec.dst());
        assertEquals(YIADDR, dec.m().requestedIp);
        assertEquals(SERVER, dec.m().serverId);
        assertEquals(0, dec.m().ciaddr);
        assertEquals(0, fx.eth0.ipv4Addresses().length);
        assertFalse(fx.stack.routes().toString().contains("0.0.0.0/0"), fx.stack.routes().toString());
        assertEquals(Dhcp4Client.State.DECLINED, client.state());
        assertEquals(1, client.counter(Dhcp4Client.Counter.ADDRESS_LOST_TO_CONFLICT));
        runUntil(fx.now + 1);
        assertTrue(events.get(events.size() - 1).contains("lost 10.0.0.2/24 CONFLICT"), events.toString());
        runUntil(24 * SEC + 9 * SEC);
        expectNothing();
        runUntil(24 * SEC + 10 * SEC + 1100 * MS);
        expect(Dhcp4Repr.DISCOVER);
    }

    /** An ARP Probe for the bound address (another host checking it) is answered, not a conflict (§2.4 concerns
     * packets whose sender IP is ours). */
    @Test
    void boundAddress_probeFromAnotherHost_isAnsweredNotAConflict() {
        start();
        bindNormally();
        long other = MacAddr.parse("02:00:00:00:00:99");
        fx.receive(Frames.arp(MacAddr.BROADCAST, other, ArpPacket.OP_REQUEST, other, 0, 0L, YIADDR));
        assertArrayEquals(Frames.arp(other, MAC_B, ArpPacket.OP_REPLY, MAC_B, YIADDR, other, 0), fx.link.take());
        assertEquals(0, client.counter(Dhcp4Client.Counter.ARP_CONFLICTS));
        assertEquals(Dhcp4Client.State.BOUND, client.state());
    }

    @Test
    void boundAddress_defenceOff_conflictsIgnored() {
        start(Dhcp4ClientConfig.builder().defendAddress(false));
        bindNormally();
        long other = MacAddr.parse("02:00:00:00:00:99");
        for (int i = 0; i < 3; i++) {
            fx.receive(Frames.arp(MacAddr.BROADCAST, other, ArpPacket.OP_REQUEST, other, YIADDR, 0L, YIADDR));
        }
        expectNothing();
        assertEquals(Dhcp4Client.State.BOUND, client.state());
    }
}

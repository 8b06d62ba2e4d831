package io.ioth.tcpip.dhcp6;

import io.ioth.tcpip.iface.Ipv6Autoconf;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.Hex;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.wire.DomainNames;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.ioth.tcpip.testing.Frames6.FE80;
import static io.ioth.tcpip.testing.Frames6.FF02;
import static io.ioth.tcpip.testing.Frames6.LL_A;
import static io.ioth.tcpip.testing.Frames6.LL_B;
import static io.ioth.tcpip.testing.Frames6.MAC_A;
import static io.ioth.tcpip.testing.Frames6.MAC_B;
import static io.ioth.tcpip.testing.Frames6.na;
import static io.ioth.tcpip.testing.Frames6.udpFrame;
import static io.ioth.tcpip.testing.StackFixture.MS;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DHCPv6 client (RFC 8415) as packet traces in simulated time: host B (02:00:00:00:00:0b, fe80::ff:fe00:b)
 * against a scripted server A (fe80::ff:fe00:a, DUID-LL 00:03:00:01:02:00:00:00:00:0a). Frames out are checked to
 * the byte (the transaction id read from them), frames in are built here.
 */
class Dhcp6ClientTraceTest {
    static final long P2 = 0xfd00_0002_0000_0000L; // fd00:2::/64
    static final byte[] CLIENT_DUID = Hex.decode("00030001 02000000000b");
    static final byte[] SERVER_DUID = Hex.decode("00030001 02000000000a");
    static final int IAID = 0x0000_000b;

    static final class Events implements Ipv6Autoconf.Listener {
        final List<Long> configured = new ArrayList<>();
        int changes;

        @Override
        public void configured(Ipv6Autoconf a, long now) {
            configured.add(now);
        }

        @Override
        public void changed(Ipv6Autoconf a, long now) {
            changes++;
        }
    }

    final Events events = new Events();

    StackFixture host() {
        return new StackFixture(StackConfig.builder().name("B").seed(1).mld(1, SEC), false);
    }

    /** DHCPv6 alone (no router discovery), forced into {@code mode}; the first message leaves at 1 s (after DAD). */
    Ipv6Autoconf start(StackFixture f, Ipv6Autoconf.Dhcp6Mode mode) {
        Ipv6Autoconf a = f.stack.startIpv6Autoconf(f.eth0, Ipv6Autoconf.Options.defaults().withRouterDiscovery(false)
                .withDhcp6(mode), Dhcp6Client.Options.defaults().withInitialDelay(false), events, f.now);
        f.settle(1 * SEC);
        return a;
    }

    // ---------------------------------------------------------------- building and reading messages

    static byte[] opt(int code, byte[]... data) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int len = 0;
        for (byte[] d : data) {
            len += d.length;
        }
        o.write(code >>> 8);
        o.write(code);
        o.write(len >>> 8);
        o.write(len);
        for (byte[] d : data) {
            o.writeBytes(d);
        }
        return o.toByteArray();
    }

    static byte[] u16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    static byte[] u32(long v) {
        return ByteBuffer.allocate(4).putInt((int) v).array();
    }

    static byte[] addr(long hi, long lo) {
        return ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
    }

    static byte[] iaNa(long t1, long t2, byte[]... sub) {
        byte[][] parts = new byte[sub.length + 3][];
        parts[0] = u32(IAID);
        parts[1] = u32(t1);
        parts[2] = u32(t2);
        System.arraycopy(sub, 0, parts, 3, sub.length);
        return opt(Dhcp6Message.OPT_IA_NA, parts);
    }

    static byte[] iaAddr(long lo, long preferred, long valid, byte[]... sub) {
        byte[][] parts = new byte[sub.length + 3][];
        parts[0] = addr(P2, lo);
        parts[1] = u32(preferred);
        parts[2] = u32(valid);
        System.arraycopy(sub, 0, parts, 3, sub.length);
        return opt(Dhcp6Message.OPT_IAADDR, parts);
    }

    static byte[] status(int code) {
        return opt(Dhcp6Message.OPT_STATUS_CODE, u16(code), "x".getBytes());
    }

    static byte[] dns(long lo) {
        return opt(Dhcp6Message.OPT_DNS_SERVERS, addr(P2, lo));
    }

    static byte[] domains(String... names) {
        byte[] b = new byte[DomainNames.encodedLength(names)];
        DomainNames.encode(Unpooled.wrappedBuffer(b), 0, names);
        return opt(Dhcp6Message.OPT_DOMAIN_LIST, b);
    }

    static byte[] msg(int type, int xid, byte[]... options) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(type);
        o.write(xid >>> 16);
        o.write(xid >>> 8);
        o.write(xid);
        for (byte[] p : options) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /** A server message to B: fe80::ff:fe00:a port 547 -> fe80::ff:fe00:b port 546. */
    static byte[] fromServer(byte[] payload) {
        return udpFrame(MAC_B, MAC_A, FE80, LL_A, FE80, LL_B, 547, 546, payload);
    }

    /** A well-formed server message with our client id and A's server id. */
    static byte[] server(int type, int xid, byte[]... options) {
        byte[][] all = new byte[options.length + 2][];
        all[0] = opt(Dhcp6Message.OPT_CLIENTID, CLIENT_DUID);
        all[1] = opt(Dhcp6Message.OPT_SERVERID, SERVER_DUID);
        System.arraycopy(options, 0, all, 2, options.length);
        return fromServer(msg(type, xid, all));
    }

    /** The DHCPv6 messages B sent (UDP payloads), after checking their addressing. */
    static List<byte[]> sent(StackFixture f) {
        List<byte[]> l = new ArrayList<>();
        for (byte[] fr : f.link.takeAll()) {
            if (fr.length > 62 && fr[20] == 17 && ((fr[54] & 0xff) << 8 | (fr[55] & 0xff)) == 546) {
                // 33:33:00:01:00:02, fe80::ff:fe00:b -> ff02::1:2, 546 -> 547 (RFC 8415 §7.1, §7.2)
                assertArrayEquals(Hex.decode("333300010002 02000000000b 86dd"), Arrays.copyOf(fr, 14));
                assertEquals(Ipv6Addr.format(FE80, LL_B), Ipv6Addr.format(Unpooled.wrappedBuffer(fr).getLong(22),
                        Unpooled.wrappedBuffer(fr).getLong(30)));
                assertEquals("ff02::1:2", Ipv6Addr.format(Unpooled.wrappedBuffer(fr).getLong(38),
                        Unpooled.wrappedBuffer(fr).getLong(46)));
                assertEquals(547, (fr[56] & 0xff) << 8 | (fr[57] & 0xff));
                l.add(Arrays.copyOfRange(fr, 62, fr.length));
            }
        }
        return l;
    }

    static byte[] one(StackFixture f) {
        List<byte[]> l = sent(f);
        assertEquals(1, l.size(), "DHCPv6 messages sent: " + l.size() + "; stats: " + f.stack.stats());
        return l.get(0);
    }

    static int xid(byte[] m) {
        return (m[1] & 0xff) << 16 | (m[2] & 0xff) << 8 | (m[3] & 0xff);
    }

    /** The expected client message: type, xid, then the hex of its options. */
    static void assertMessage(int type, String optionsHex, byte[] actual) {
        byte[] expected = msg(type, xid(actual), Hex.decode(optionsHex));
        assertEquals(Hex.pretty(expected), Hex.pretty(actual));
    }

    static final String CLIENT_ID = "0001 000a 00030001 02000000000b";
    static final String ORO = "0006 0006 0017 0018 0052";
    static final String SERVER_ID = "0002 000a 00030001 02000000000a";

    static String elapsed(int hundredths) {
        return String.format("0008 0002 %04x", hundredths);
    }

    static String ia(long lo) {
        return lo == 0 ? "0003 000c 0000000b 00000000 00000000"
                : "0003 0028 0000000b 00000000 00000000 0005 0018 " + Hex.encode(addr(P2, lo)) + " 00000000 00000000";
    }

    /** Runs Solicit / Advertise / Request / Reply for fd00:2::10 (T1 100, T2 160, preferred 200, valid 300) and DAD;
     * returns the time of the Reply. */
    long bind(StackFixture f, Ipv6Autoconf a) {
        byte[] solicit = one(f);
        f.receive(server(Dhcp6Message.ADVERTISE, xid(solicit), opt(Dhcp6Message.OPT_PREFERENCE, new byte[] {(byte) 255}),
                iaNa(100, 160, iaAddr(0x10, 200, 300))));
        byte[] request = one(f);
        f.receive(server(Dhcp6Message.REPLY, xid(request), iaNa(100, 160, iaAddr(0x10, 200, 300)), dns(0x53),
                domains("lan", "example.org")));
        long t = f.now;
        f.settle(t + 1 * SEC); // DAD of fd00:2::10
        f.link.takeAll();
        return t;
    }

    // ================================================================ stateful

    @Test
    void stateful_solicitAdvertiseRequestReply_addressAfterDad_dnsAndDomains_configured() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, Ipv6Autoconf.Dhcp6Mode.STATEFUL);
            // RFC 8415 §18.2.1 Solicit: Client Identifier (DUID-LL of the MAC), Elapsed Time 0, ORO (23, 24, 82),
            // IA_NA (IAID = low 32 bits of the MAC, T1 = T2 = 0, no address)
            byte[] solicit = one(f);
            assertMessage(Dhcp6Message.SOLICIT, CLIENT_ID + elapsed(0) + ORO + ia(0), solicit);
            // an Advertise without preference 255: collected until the first RT (1 s + (0, 0.1] s) has elapsed
            f.now = 1500 * MS;
            f.receive(server(Dhcp6Message.ADVERTISE, xid(solicit), iaNa(0, 0, iaAddr(0x10, 200, 300))));
            assertEquals(0, sent(f).size());
            f.settle(2100 * MS);
            // §18.2.2 Request: a new transaction, the Server Identifier, the advertised address with lifetimes 0
            byte[] request = one(f);
            assertMessage(Dhcp6Message.REQUEST, CLIENT_ID + elapsed(0) + ORO + SERVER_ID + ia(0x10), request);
            assertTrue(xid(request) != xid(solicit));
            f.now = 2200 * MS;
            f.receive(server(Dhcp6Message.REPLY, xid(request), iaNa(0, 0, iaAddr(0x10, 200, 300)), dns(0x53),
                    domains("lan")));
            assertEquals(NetInterface.AddressState.TENTATIVE, f.eth0.ipv6State(P2, 0x10));
            assertTrue(f.eth0.ipv6Addresses().contains("fd00:2::10/128 tentative"), f.eth0.ipv6Addresses().toString());
            assertTrue(events.configured.isEmpty());
            f.settle(3200 * MS);
            assertEquals(NetInterface.AddressState.PREFERRED, f.eth0.ipv6State(P2, 0x10));
            assertEquals(List.of(3200 * MS), events.configured);
            assertEquals("[/fd00:2:0:0:0:0:0:10]", a.addresses().toString());
            assertEquals("[/fd00:2:0:0:0:0:0:53]", a.dnsServers().toString());
            assertEquals(List.of("lan"), a.searchDomains());
            // T1 = T2 = 0: the client's choice, .5 and .8 of the preferred lifetime (RFC 8415 §14.2)
            f.settle(2200 * MS + 100 * SEC - MS);
            assertEquals(0, sent(f).size());
            f.settle(2200 * MS + 100 * SEC);
            assertEquals(Dhcp6Message.RENEW, one(f)[0]);
            assertEquals(0, f.stack.stats().totalDrops() - f.drops(DropReason.ETH_MULTICAST_NOT_JOINED),
                    f.stack.stats().toString());
        }
    }

    @Test
    void renewAtT1_retransmittedUntilT2_thenRebind_replyExtendsTheLease_RFC8415_18_2_4_5() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, Ipv6Autoconf.Dhcp6Mode.STATEFUL);
            long t = bind(f, a);
            f.settle(t + 100 * SEC - MS);
            assertEquals(0, sent(f).size());
            f.settle(t + 100 * SEC);
            byte[] renew = one(f);
            // §18.2.4 Renew: Server Identifier, the address; Elapsed Time 0 in the first message
            assertMessage(Dhcp6Message.RENEW, CLIENT_ID + elapsed(0) + ORO + SERVER_ID + ia(0x10), renew);
            // REN_TIMEOUT 10 s (+-10 %): the retransmission carries the elapsed time, the same xid
            List<Long> at = new ArrayList<>();
            List<byte[]> renews = new ArrayList<>();
            for (long s = t + 100 * SEC + 100 * MS; s < t + 160 * SEC; s += 100 * MS) {
                f.settle(s);
                for (byte[] m : sent(f)) {
                    at.add(s - t - 100 * SEC);
                    renews.add(m);
                }
            }
            assertTrue(at.get(0) >= 9 * SEC && at.get(0) <= 11 * SEC, at.toString());
            assertEquals(xid(renew), xid(renews.get(0)));
            int hundredths = (renews.get(0)[4 + 14 + 4] & 0xff) << 8 | (renews.get(0)[4 + 14 + 5] & 0xff);
            assertEquals(at.get(0) / (10 * MS), hundredths, 1);
            // RT doubles: ~10, ~30 (10 + 20), then T2 (60 s after T1) ends the Renew
            assertTrue(at.size() == 2 || at.size() == 3, at.toString());
            f.settle(t + 160 * SEC);
            byte[] rebind = one(f);
            // §18.2.5 Rebind: no Server Identifier
            assertMessage(Dhcp6Message.REBIND, CLIENT_ID + elapsed(0) + ORO + ia(0x10), rebind);
            // any server answers: new lifetimes, new T1/T2
            f.receive(server(Dhcp6Message.REPLY, xid(rebind), iaNa(1000, 1600, iaAddr(0x10, 2000, 3000))));
            long r = f.now;
            assertTrue(f.eth0.hasIpv6(P2, 0x10));
            f.settle(r + 1000 * SEC - MS);
            assertEquals(0, sent(f).size());
            assertTrue(f.eth0.hasIpv6(P2, 0x10), "valid until r + 3000 s");
            f.settle(r + 1000 * SEC);
            assertEquals(Dhcp6Message.RENEW, one(f)[0]);
            assertTrue(events.changes > 0);
        }
    }

    @Test
    void noServerAnswersTheRebind_addressRemovedAtTheValidLifetime_solicitAgain() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, Ipv6Autoconf.Dhcp6Mode.STATEFUL);
            long t = bind(f, a);
            f.settle(t + 200 * SEC);
            assertTrue(f.eth0.isIpv6Deprecated(P2, 0x10), "preferred lifetime (200 s) over");
            f.settle(t + 300 * SEC - MS);
            assertTrue(f.eth0.hasIpv6(P2, 0x10));
            f.link.takeAll();
            f.settle(t + 300 * SEC);
            assertFalse(f.eth0.hasIpv6(P2, 0x10));
            assertTrue(a.addresses().isEmpty());
            List<byte[]> l = sent(f);
            assertEquals(Dhcp6Message.SOLICIT, l.get(l.size() - 1)[0]);
        }
    }

    @Test
    void releaseOnClose_RFC8415_18_2_7() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, Ipv6Autoconf.Dhcp6Mode.STATEFUL);
            bind(f, a);
            a.close(f.now);
            assertFalse(f.eth0.hasIpv6(P2, 0x10), "stops using the address at once");
            byte[] release = one(f);
            assertMessage(Dhcp6Message.RELEASE, CLIENT_ID + elapsed(0) + SERVER_ID + ia(0x10), release);
            // REL_TIMEOUT 1 s, REL_MAX_RC 4 transmissions in all, unless a Reply comes
            f.settle(f.now + 1100 * MS);
            assertEquals(Dhcp6Message.RELEASE, one(f)[0]);
            f.receive(server(Dhcp6Message.REPLY, xid(release), status(0)));
            f.settle(f.now + 60 * SEC);
            assertEquals(0, sent(f).size());
        }
    }

    @Test
    void dadFailure_decline_thenSolicitAgain_RFC8415_18_2_8() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, Ipv6Autoconf.Dhcp6Mode.STATEFUL);
            byte[] solicit = one(f);
            f.receive(server(Dhcp6Message.ADVERTISE, xid(solicit), opt(Dhcp6Message.OPT_PREFERENCE,
                    new byte[] {(byte) 255}), iaNa(100, 160, iaAddr(0x10, 200, 300))));
            byte[] request = one(f);
            f.receive(server(Dhcp6Message.REPLY, xid(request), iaNa(100, 160, iaAddr(0x10, 200, 300))));
            f.link.takeAll();
            f.receive(na(0x3333_0000_0001L, MAC_A, FE80, LL_A, FF02, 1, P2, 0x10, 0x20, MAC_A)); // A has it
            assertFalse(f.eth0.hasIpv6(P2, 0x10));
            byte[] decline = one(f);
            assertMessage(Dhcp6Message.DECLINE, CLIENT_ID + elapsed(0) + SERVER_ID + ia(0x10), decline);
            f.receive(server(Dhcp6Message.REPLY, xid(decline), status(0)));
            assertEquals(Dhcp6Message.SOLICIT, one(f)[0]);
            assertTrue(events.configured.isEmpty());
        }
    }

    // ================================================================ stateless

    @Test
    void stateless_informationRequest_reply_dnsDomains_refreshAfterIrt_RFC8415_18_2_6() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, Ipv6Autoconf.Dhcp6Mode.STATELESS);
            byte[] ir = one(f);
            // Client Identifier, Elapsed Time, ORO (23, 24, 32, 83); no IA
            assertMessage(Dhcp6Message.INFORMATION_REQUEST, CLIENT_ID + elapsed(0) + "0006 0008 0017 0018 0020 0053",
                    ir);
            // INF_TIMEOUT 1 s: retransmitted with the same xid
            f.settle(2200 * MS);
            byte[] again = one(f);
            assertEquals(xid(ir), xid(again));
            f.receive(server(Dhcp6Message.REPLY, xid(ir), dns(0x53), dns(0x54), domains("example.org"),
                    opt(Dhcp6Message.OPT_INFORMATION_REFRESH_TIME, u32(900))));
            long t = f.now;
            assertEquals(List.of(t), events.configured);
            assertEquals("[/fd00:2:0:0:0:0:0:53, /fd00:2:0:0:0:0:0:54]", a.dnsServers().toString());
            assertEquals(List.of("example.org"), a.searchDomains());
            assertTrue(a.addresses().isEmpty());
            f.settle(t + 900 * SEC - MS);
            assertEquals(0, sent(f).size());
            f.settle(t + 900 * SEC);
            assertEquals(Dhcp6Message.INFORMATION_REQUEST, one(f)[0]);
        }
    }

    @Test
    void stateless_refreshTimeBelowTheMinimum_raisedTo600s_RFC8415_21_23() {
        try (StackFixture f = host()) {
            start(f, Ipv6Autoconf.Dhcp6Mode.STATELESS);
            byte[] ir = one(f);
            f.receive(server(Dhcp6Message.REPLY, xid(ir), dns(0x53),
                    opt(Dhcp6Message.OPT_INFORMATION_REFRESH_TIME, u32(10))));
            long t = f.now;
            f.settle(t + 600 * SEC - MS);
            assertEquals(0, sent(f).size());
            f.settle(t + 600 * SEC);
            assertEquals(1, sent(f).size());
        }
    }

    // ================================================================ malformed and unexpected

    @Test
    void malformedAndUnexpectedMessages_droppedAndCounted_stateUnchanged_RFC8415_16() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, Ipv6Autoconf.Dhcp6Mode.STATEFUL);
            byte[] solicit = one(f);
            int x = xid(solicit);
            byte[] ia = iaNa(0, 0, iaAddr(0x10, 200, 300));
            long before = f.stack.stats().totalDrops();
            f.receive(fromServer(new byte[] {2, 0, 0})); // 3 bytes
            assertEquals(1, f.drops(DropReason.DHCP6_TRUNCATED));
            byte[] overrun = msg(Dhcp6Message.ADVERTISE, x, opt(Dhcp6Message.OPT_CLIENTID, CLIENT_DUID));
            overrun[7] = 30; // client id length 30 > the 10 bytes there
            f.receive(fromServer(overrun));
            f.receive(fromServer(msg(Dhcp6Message.ADVERTISE, x, new byte[] {0, 1, 0}))); // partial option header
            f.receive(server(Dhcp6Message.ADVERTISE, x, opt(Dhcp6Message.OPT_IA_NA, u32(IAID), u32(0)))); // 8 < 12
            byte[] badAddr = iaNa(0, 0, opt(Dhcp6Message.OPT_IAADDR, addr(P2, 0x10))); // 16 < 24
            f.receive(server(Dhcp6Message.ADVERTISE, x, badAddr));
            f.receive(server(Dhcp6Message.ADVERTISE, x, ia, opt(Dhcp6Message.OPT_PREFERENCE, u16(1)))); // len 2
            f.receive(server(Dhcp6Message.ADVERTISE, x, ia, opt(Dhcp6Message.OPT_DOMAIN_LIST, new byte[] {3, 'a'})));
            assertEquals(6, f.drops(DropReason.DHCP6_MALFORMED));
            f.receive(server(Dhcp6Message.ADVERTISE, x ^ 1, ia));
            assertEquals(1, f.drops(DropReason.DHCP6_WRONG_XID));
            f.receive(fromServer(msg(Dhcp6Message.ADVERTISE, x, opt(Dhcp6Message.OPT_CLIENTID,
                    Hex.decode("00030001 02000000000c")), opt(Dhcp6Message.OPT_SERVERID, SERVER_DUID), ia)));
            f.receive(fromServer(msg(Dhcp6Message.ADVERTISE, x, opt(Dhcp6Message.OPT_SERVERID, SERVER_DUID), ia)));
            assertEquals(2, f.drops(DropReason.DHCP6_WRONG_CLIENT_ID));
            f.receive(fromServer(msg(Dhcp6Message.ADVERTISE, x, opt(Dhcp6Message.OPT_CLIENTID, CLIENT_DUID), ia)));
            assertEquals(1, f.drops(DropReason.DHCP6_NO_SERVER_ID));
            f.receive(server(Dhcp6Message.SOLICIT, x, ia)); // a client message
            f.receive(server(Dhcp6Message.RECONFIGURE, x)); // no authentication: refused
            f.receive(server(Dhcp6Message.REPLY, x, ia)); // a Reply while soliciting
            assertEquals(3, f.drops(DropReason.DHCP6_UNEXPECTED));
            f.receive(server(Dhcp6Message.ADVERTISE, x, status(Dhcp6Message.STATUS_NO_ADDRS_AVAIL)));
            f.receive(server(Dhcp6Message.ADVERTISE, x, iaNa(0, 0, iaAddr(0x10, 300, 200)))); // preferred > valid
            f.receive(server(Dhcp6Message.ADVERTISE, x, iaNa(0, 0, iaAddr(0x10, 0, 0)))); // valid 0
            assertEquals(3, f.drops(DropReason.DHCP6_REFUSED));
            assertEquals(17, f.stack.stats().totalDrops() - before, f.stack.stats().toString());
            assertEquals(0, f.stack.stats().get(Counter.DHCP6_IN_MESSAGES));
            // nothing answered; still soliciting: the retransmission, same xid
            assertEquals(0, sent(f).size());
            f.settle(2200 * MS);
            byte[] again = one(f);
            assertEquals(Dhcp6Message.SOLICIT, again[0]);
            assertEquals(x, xid(again));
            assertTrue(a.addresses().isEmpty());
        }
    }

    @Test
    void solicitRetransmission_rtDoublesUpToSolMaxRt_firstRandIsPositive_RFC8415_15() {
        try (StackFixture f = host()) {
            start(f, Ipv6Autoconf.Dhcp6Mode.STATEFUL);
            one(f);
            List<Long> at = new ArrayList<>();
            for (long s = 1 * SEC + 10 * MS; s <= 40 * SEC; s += 10 * MS) {
                f.settle(s);
                if (!sent(f).isEmpty()) {
                    at.add(s - 1 * SEC);
                }
            }
            // RT1 in (1.0, 1.1] s, then RT = 2 RT +- 10 %: ~2, ~4, ~8, ~16 s
            assertTrue(at.get(0) > 1000 * MS && at.get(0) <= 1110 * MS, at.toString());
            for (int i = 1; i < at.size(); i++) {
                long prev = i == 1 ? at.get(0) : at.get(i - 1) - at.get(i - 2);
                long gap = at.get(i) - at.get(i - 1);
                assertTrue(gap >= 1.85 * prev && gap <= 2.15 * prev, at.toString());
            }
            assertEquals(5, at.size(), at.toString());
        }
    }

    @Test
    void initialDelay_firstSolicitWithinSolMaxDelay_RFC8415_18_2_1() {
        try (StackFixture f = host()) {
            f.stack.startIpv6Autoconf(f.eth0, Ipv6Autoconf.Options.defaults().withRouterDiscovery(false)
                    .withDhcp6(Ipv6Autoconf.Dhcp6Mode.STATEFUL), events, f.now);
            long first = -1;
            for (long s = 1 * SEC; s <= 2 * SEC && first < 0; s += 10 * MS) {
                f.settle(s);
                if (!sent(f).isEmpty()) {
                    first = s;
                }
            }
            assertTrue(first >= 1 * SEC && first <= 2 * SEC, "first Solicit at " + first);
        }
    }

    @Test
    void duidLlt_whenGivenItsTime() {
        byte[] d = Dhcp6Client.duid(0x02_00_00_00_00_0bL, 0x2a2b2c2dL);
        assertEquals("00010001 2a2b2c2d 02000000000b".replace(" ", ""), Hex.encode(d).replace(" ", ""));
    }
}

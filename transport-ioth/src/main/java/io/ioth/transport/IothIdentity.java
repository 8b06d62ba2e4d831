package io.ioth.transport;

import io.ioth.tcpip.conf.IothConf;
import io.ioth.tcpip.conf.IothConf.Flag;
import io.ioth.tcpip.conf.IothConf.IpAddress;
import io.ioth.tcpip.conf.IothConf.IpPrefix;
import io.ioth.tcpip.dhcp.Dhcp4ClientConfig;
import io.ioth.tcpip.dhcp6.Dhcp6Client;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.socket.tcp.TcpConfig;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.Vnl;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A network identity: the wire a stack plugs into, its MAC, and how its addresses, routes and name servers are
 * configured (statically, by DHCPv4, by IPv6 router discovery / SLAAC / DHCPv6), written as an
 * <a href="https://github.com/virtualsquare/iothconf">iothconf</a> string (anchors.md §1.1) and parsed by the
 * engine's {@link IothConf}:
 *
 * <pre>{@code
 * IothIdentity a = IothIdentity.parse("vnl=vde:///tmp/sw,eth,ip=10.0.0.2/24,gw=10.0.0.1,dns=10.0.0.53");
 * IothIdentity b = IothIdentity.parse("vnl=vxvde://234.0.0.1,eth,dhcp,fqdn=node7.lab.test");
 * IothIdentity c = IothIdentity.parse("vnl=switch://lab,auto");          // eth,dhcp,dhcp6,rd
 * IothIdentity dflt = IothIdentity.defaults();   // the embedded in-JVM switch "default", no address yet
 * }</pre>
 *
 * <p>An identity is bound to an event loop group ({@link IothEventLoopGroup#IothEventLoopGroup(IothIdentity)},
 * or {@link IothIoHandler#newFactory(IothIdentity)}): every event loop of the group runs one stack, and every
 * channel registered with the group lives on it. {@link IothEventLoopGroup#configured()} completes once every method
 * the string asks for is done; {@link IothEventLoopGroup#resolver()} resolves names through the stack.
 *
 * <h2>Grammar</h2>
 * A comma-separated list of tokens, as {@code ioth_newstackc} (keys are case-sensitive, as iothconf's):
 * <table>
 *   <tr><th>token</th><th>meaning</th></tr>
 *   <tr><td>{@code vnl=VNL}</td><td>the wire (any vde-channel VNL: {@code vde://}, {@code vxvde://}, {@code udp://},
 *       {@code cmd://}, {@code switch://NAME}...); absent or empty: the embedded switch {@code switch://default}.
 *       One interface per identity.</td></tr>
 *   <tr><td>{@code stack=NAME}</td><td>libioth's stack implementation; accepted for compatibility and ignored
 *       (this transport is its own stack)</td></tr>
 *   <tr><td>{@code iface=NAME}</td><td>the interface name (default {@code vde0}, as libioth's default stack)</td></tr>
 *   <tr><td>{@code fqdn=NAME}</td><td>the name sent by DHCPv4 (options 12/81), and the seed of the hash MAC and of
 *       the hash IPv6 interface id for SLAAC (iothconf_hash.c)</td></tr>
 *   <tr><td>{@code mac=aa:bb:cc:dd:ee:ff} ({@code macaddr=})</td><td>the MAC; default: the hash MAC of
 *       {@code fqdn}, else a random locally administered unicast MAC per stack</td></tr>
 *   <tr><td>{@code eth}</td><td>bring the Ethernet interface up (always done here; accepted for iothconf
 *       compatibility)</td></tr>
 *   <tr><td>{@code dhcp} ({@code dhcp4}, {@code dhcpv4})</td><td>DHCPv4 client (RFC 2131): address, prefix, default
 *       route, DNS servers, domain</td></tr>
 *   <tr><td>{@code dhcp6} ({@code dhcpv6})</td><td>DHCPv6 client, stateful (RFC 8415 IA_NA): address, DNS
 *       servers, domain list</td></tr>
 *   <tr><td>{@code rd} ({@code rd6})</td><td>IPv6 router discovery (RFC 4861): default routers, on-link prefixes,
 *       MTU, RDNSS/DNSSL (RFC 8106)</td></tr>
 *   <tr><td>{@code slaac}</td><td>addresses from the RA prefixes (RFC 4862; needs {@code rd}); interface id: the
 *       hash of {@code fqdn}, else the modified EUI-64 of the MAC</td></tr>
 *   <tr><td>{@code auto}, {@code auto4}, {@code auto6}</td><td>{@code eth,dhcp,dhcp6,rd}; {@code eth,dhcp};
 *       {@code eth,dhcp6,rd}</td></tr>
 *   <tr><td>{@code ip=ADDR[/LEN]} (repeatable)</td><td>a static address and its on-link prefix, IPv4 (default /24)
 *       or IPv6 (default /64)</td></tr>
 *   <tr><td>{@code gw=ADDR} (repeatable)</td><td>a static default gateway, IPv4 or IPv6; on-link in an
 *       {@code ip=} prefix unless a dynamic method of its family may bring the prefix (then it is installed once
 *       it is on-link)</td></tr>
 *   <tr><td>{@code dns=ADDR} (repeatable)</td><td>a static name server (tried before the learned ones)</td></tr>
 *   <tr><td>{@code domain=NAME} (repeatable)</td><td>a DNS search domain</td></tr>
 *   <tr><td>{@code debug}</td><td>log every configuration change at INFO</td></tr>
 *   <tr><td>{@code -static, -eth, -dhcp, -dhcp6, -rd, -auto, -auto4, -auto6}</td><td>undo what the same string
 *       enabled before the token ({@link IothConf})</td></tr>
 * </table>
 * {@code ifindex=} is refused (one interface per identity: name it with {@code iface=}). {@link #parse} throws
 * {@link IllegalArgumentException} naming the offending token: an unknown key, a malformed value, an address that is
 * not a unicast host address, a gateway that cannot be on-link, {@code slaac} without {@code rd}.
 *
 * <p>Immutable; thread-safe.
 */
public final class IothIdentity {
    /** libioth names the interface of a new stack {@code vde0}. */
    public static final String DEFAULT_IFACE = IothConf.DEFAULT_IFACE;

    private static final IothIdentity DEFAULTS = parse("");

    private final IothConf conf;
    private final StackConfig stackConfig;
    private final VdeOptions vdeOptions;
    private final Dhcp4ClientConfig dhcp4Config;
    private final Dhcp6Client.Options dhcp6Options;
    private final TcpConfig tcpConfig;
    /** The interface MTU ({@link #withMtu}); {@link #DEFAULT_MTU} unless set. */
    private final int mtu;

    /** The Ethernet MTU (RFC 894): what every interface gets unless {@link #withMtu} says otherwise. */
    public static final int DEFAULT_MTU = 1500;

    private IothIdentity(final IothConf conf, final StackConfig stackConfig, final VdeOptions vdeOptions,
                         final Dhcp4ClientConfig dhcp4Config, final Dhcp6Client.Options dhcp6Options,
                         final TcpConfig tcpConfig, final int mtu) {
        this.conf = conf;
        this.stackConfig = stackConfig;
        this.vdeOptions = vdeOptions;
        this.dhcp4Config = dhcp4Config;
        this.dhcp6Options = dhcp6Options;
        this.tcpConfig = tcpConfig;
        this.mtu = mtu;
    }

    /**
     * Parses an iothconf string (null or empty: {@link #defaults()}).
     *
     * @throws IllegalArgumentException naming the offending token
     */
    public static IothIdentity parse(final String iothconf) {
        final String s = iothconf == null ? "" : iothconf;
        final IothConf conf = IothConf.parse(s); // the grammar: IothConf names the token itself
        Checks.check(s, conf);
        return new IothIdentity(conf, null, null, null, null, null, DEFAULT_MTU);
    }

    /** The embedded in-JVM switch {@code switch://default}, a random MAC, no address but loopback. */
    public static IothIdentity defaults() {
        return DEFAULTS;
    }

    /** A copy whose stacks use these engine settings (TTL, queue sizes, batch sizes, a seed for tests...). */
    public IothIdentity withStackConfig(final StackConfig config) {
        return new IothIdentity(conf, Objects.requireNonNull(config, "config"), vdeOptions, dhcp4Config,
                dhcp6Options, tcpConfig, mtu);
    }

    /** A copy whose wire is opened with these options (port description, auto-reconnect, queue bound...). The
     * ticker is always replaced by the event loop's. */
    public IothIdentity withVdeOptions(final VdeOptions options) {
        return new IothIdentity(conf, stackConfig, Objects.requireNonNull(options, "options"), dhcp4Config,
                dhcp6Options, tcpConfig, mtu);
    }

    /**
     * A copy whose DHCPv4 client ({@code dhcp}) uses these settings (retransmission, ARP probing, release on close,
     * a requested address...). The {@code fqdn} of the string is used unless the settings name one.
     */
    public IothIdentity withDhcp4Config(final Dhcp4ClientConfig config) {
        return new IothIdentity(conf, stackConfig, vdeOptions, Objects.requireNonNull(config, "config"),
                dhcp6Options, tcpConfig, mtu);
    }

    /** A copy whose DHCPv6 client ({@code dhcp6}) uses these settings (initial delay, DUID). */
    public IothIdentity withDhcp6Options(final Dhcp6Client.Options options) {
        return new IothIdentity(conf, stackConfig, vdeOptions, dhcp4Config,
                Objects.requireNonNull(options, "options"), tcpConfig, mtu);
    }

    /**
     * A copy whose stacks run TCP with these settings (congestion control default, RTO bounds, buffers, SACK,
     * timestamps, delayed ACK...): per-identity tunables, so a production and an experimental stack can live side
     * by side in one JVM. Per-connection choices ({@link IothChannelOption#TCP_CONGESTION}) still override.
     */
    public IothIdentity withTcpConfig(final TcpConfig config) {
        return new IothIdentity(conf, stackConfig, vdeOptions, dhcp4Config, dhcp6Options,
                Objects.requireNonNull(config, "config"), mtu);
    }

    /**
     * A copy whose interface has this MTU (the largest IP packet it sends; TCP's MSS follows from it): 1500 by
     * default, as Ethernet (RFC 894). A jumbo MTU needs a wire that carries frames of {@code mtu + 14} bytes: the
     * embedded switch ({@code switch://}) carries any IP packet (MTU 65535, as Linux's loopback carries 64 KiB), the
     * datagram wires up to 9234-byte frames (MTU 9220), a {@code vde_switch} 1518 (MTU 1504, vde-protocol.md §1.4); a
     * larger MTU fails the group's construction.
     *
     * @throws IllegalArgumentException below 68 (RFC 791) or above 65535
     */
    public IothIdentity withMtu(final int mtu) {
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU must be 68..65535 (RFC 791): " + mtu);
        }
        return new IothIdentity(conf, stackConfig, vdeOptions, dhcp4Config, dhcp6Options, tcpConfig, mtu);
    }

    /** The interface MTU: {@link #DEFAULT_MTU} unless {@link #withMtu} set another. */
    public int mtu() {
        return mtu;
    }

    /** The TCP settings of {@link #withTcpConfig}, or null for the engine's defaults ({@code TcpConfig.defaults()}). */
    TcpConfig tcpConfig() {
        return tcpConfig;
    }

    // ---------------------------------------------------------------- accessors

    /** The parsed string (flags, static data, fqdn...). */
    public IothConf conf() {
        return conf;
    }

    /** The wire's VNL ({@code ""} = {@code switch://default}). */
    public String vnl() {
        return conf.vnl() == null ? "" : conf.vnl();
    }

    public String interfaceName() {
        return conf.iface();
    }

    /** {@code fqdn=}, or null. */
    public String fqdn() {
        return conf.fqdn();
    }

    /** Whether the MAC is fixed: {@code mac=}, or the hash MAC of {@code fqdn=}; otherwise each stack draws a random
     * one. */
    public boolean hasMac() {
        return conf.effectiveMac() != 0;
    }

    /** The fixed MAC ({@code mac=}, else the hash MAC of {@code fqdn=}), or 0. */
    public long mac() {
        return conf.effectiveMac();
    }

    public boolean eth() {
        return conf.has(Flag.ETH);
    }

    /** {@code dhcp}: a DHCPv4 client runs. */
    public boolean dhcp4() {
        return conf.has(Flag.DHCP);
    }

    /** {@code dhcp6}: a stateful DHCPv6 client runs. */
    public boolean dhcp6() {
        return conf.has(Flag.DHCP6);
    }

    /** {@code rd}: IPv6 router discovery runs. */
    public boolean routerDiscovery() {
        return conf.has(Flag.RD);
    }

    /** {@code slaac}: IPv6 addresses from the RA prefixes. */
    public boolean slaac() {
        return conf.has(Flag.SLAAC);
    }

    /** Whether a method completes later than the stack's creation (DHCPv4, router discovery, SLAAC, DHCPv6). */
    public boolean isDynamic() {
        return dhcp4() || ipv6Autoconf();
    }

    /** The static IPv4 addresses as {@code a.b.c.d/len}. */
    public List<String> ipv4Addresses() {
        final List<String> l = new ArrayList<>();
        for (IpPrefix p : conf.addresses()) {
            if (!p.v6()) {
                l.add(p.toString());
            }
        }
        return l;
    }

    /**
     * The static IPv6 addresses as {@code addr/len}. The stack enables IPv6 on the interface (its link-local address)
     * when the identity has an IPv6 address or gateway or runs IPv6 autoconfiguration; each address is
     * <em>tentative</em> for about a second (Duplicate Address Detection, RFC 4862 §5.4): binding to it fails with
     * "Cannot assign requested address" until it is usable (binding {@code ::} does not).
     */
    public List<String> ipv6Addresses() {
        final List<String> l = new ArrayList<>();
        for (IpPrefix p : conf.addresses()) {
            if (p.v6()) {
                l.add(p.toString());
            }
        }
        return l;
    }

    /** The first static IPv4 default gateway, or null. */
    public String gateway4() {
        final IpAddress g = firstGateway(false);
        return g == null ? null : g.toString();
    }

    /** The first static IPv6 default gateway, or null. */
    public String gateway6() {
        final IpAddress g = firstGateway(true);
        return g == null ? null : g.toString();
    }

    /** The static name servers ({@code dns=}), in order. */
    public List<String> dnsServers() {
        final List<String> l = new ArrayList<>();
        for (IpAddress a : conf.dns()) {
            l.add(a.toString());
        }
        return l;
    }

    /** The static search domains ({@code domain=}), in order. */
    public List<String> domains() {
        return conf.domains();
    }

    /**
     * Whether two stacks must never be built from this identity: it fixes a MAC, a name or an address, which two
     * stacks on one wire cannot share.
     */
    public boolean isExclusive() {
        return conf.effectiveMac() != 0 || conf.fqdn() != null || !conf.addresses().isEmpty();
    }

    /** The original string. */
    public String source() {
        return conf.source();
    }

    // ---------------------------------------------------------------- package-private: what the stack is built from

    private IpAddress firstGateway(final boolean v6) {
        for (IpAddress g : conf.gateways()) {
            if (g.v6() == v6) {
                return g;
            }
        }
        return null;
    }

    /** Router discovery, SLAAC or DHCPv6. */
    boolean ipv6Autoconf() {
        return conf.has(Flag.RD) || conf.has(Flag.SLAAC) || conf.has(Flag.DHCP6);
    }

    /** Whether the interface needs IPv6: a static IPv6 address or gateway, or IPv6 autoconfiguration. */
    boolean hasIpv6() {
        if (ipv6Autoconf() || firstGateway(true) != null) {
            return true;
        }
        for (IpPrefix p : conf.addresses()) {
            if (p.v6()) {
                return true;
            }
        }
        return false;
    }

    /** The DHCPv4 client settings: {@link #withDhcp4Config}'s or the defaults, with the string's fqdn. */
    Dhcp4ClientConfig dhcp4Config() {
        if (dhcp4Config == null) {
            return conf.dhcp4Config().build();
        }
        return dhcp4Config.fqdn() == null && conf.fqdn() != null
                ? dhcp4Config.toBuilder().fqdn(conf.fqdn()).build() : dhcp4Config;
    }

    Dhcp6Client.Options dhcp6Options() {
        return dhcp6Options != null ? dhcp6Options : Dhcp6Client.Options.defaults();
    }

    /** The engine settings (a default with a descriptive name unless {@link #withStackConfig} was used). */
    StackConfig stackConfig() {
        if (stackConfig != null) {
            return stackConfig;
        }
        return StackConfig.builder().name(describe()).build();
    }

    VdeOptions vdeOptions() {
        return vdeOptions != null ? vdeOptions : VdeOptions.defaults().withDescription("ioth-java " + describe());
    }

    /** A short name for logs: the fqdn, else the first address, else the method, else the wire. */
    String describe() {
        if (conf.fqdn() != null) {
            return conf.fqdn();
        }
        if (!conf.addresses().isEmpty()) {
            return conf.addresses().get(0).address().toString();
        }
        if (dhcp4()) {
            return "dhcp@" + (vnl().isEmpty() ? "switch://default" : vnl());
        }
        return vnl().isEmpty() ? "switch://default" : vnl();
    }

    /** The MAC of one stack: the fixed one ({@link #mac()}), or a random locally administered unicast MAC (IEEE
     * 802 U/L bit). */
    long macForNewStack() {
        final long m = conf.effectiveMac();
        if (m != 0) {
            return m;
        }
        final long r = new SecureRandom().nextLong() & 0xffff_ffff_ffffL;
        return (r & ~0x0100_0000_0000L) | 0x0200_0000_0000L; // unicast (I/G = 0), locally administered (U/L = 1)
    }

    /** The canonical iothconf form (no undo tokens: their effect is applied); it parses back to an equal
     * identity. */
    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder();
        sb.append("vnl=").append(vnl().isEmpty() ? "switch://default" : vnl());
        if (conf.stack() != null) {
            sb.append(",stack=").append(conf.stack());
        }
        if (!DEFAULT_IFACE.equals(conf.iface())) {
            sb.append(",iface=").append(conf.iface());
        }
        if (conf.fqdn() != null) {
            sb.append(",fqdn=").append(conf.fqdn());
        }
        if (eth()) {
            sb.append(",eth");
        }
        if (conf.hasMac()) {
            sb.append(",mac=").append(MacAddr.format(conf.mac()));
        }
        if (dhcp4()) {
            sb.append(",dhcp");
        }
        if (dhcp6()) {
            sb.append(",dhcp6");
        }
        if (routerDiscovery()) {
            sb.append(",rd");
        }
        if (slaac()) {
            sb.append(",slaac");
        }
        for (IpPrefix p : conf.addresses()) {
            sb.append(",ip=").append(p);
        }
        for (IpAddress g : conf.gateways()) {
            sb.append(",gw=").append(g);
        }
        for (IpAddress d : conf.dns()) {
            sb.append(",dns=").append(d);
        }
        for (String d : conf.domains()) {
            sb.append(",domain=").append(d);
        }
        if (conf.has(Flag.DEBUG)) {
            sb.append(",debug");
        }
        return sb.toString();
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof IothIdentity i && toString().equals(i.toString())
                && Objects.equals(stackConfig, i.stackConfig) && Objects.equals(vdeOptions, i.vdeOptions)
                && Objects.equals(dhcp4Config, i.dhcp4Config) && Objects.equals(dhcp6Options, i.dhcp6Options)
                && Objects.equals(tcpConfig, i.tcpConfig) && mtu == i.mtu;
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    // ---------------------------------------------------------------- what IothConf's grammar leaves to us

    /**
     * The checks this transport adds to {@link IothConf}'s grammar, each naming its token: a VNL vde-channel can
     * open, an interface name, unicast host addresses (the engine's rules, so that the error names the token
     * instead of failing the event loop), no address twice, gateways that can be on-link.
     */
    private static final class Checks {
        private Checks() {
        }

        static void check(final String source, final IothConf conf) {
            final List<IpPrefix> seen = new ArrayList<>();
            final Map<IpAddress, String> gwTokens = new LinkedHashMap<>();
            for (String raw : source.split(",", -1)) { // the split IothConf makes (iothconf: strtok on ',')
                final String token = raw.strip();
                if (token.isEmpty()) {
                    continue;
                }
                final int eq = token.indexOf('=');
                final String key = eq < 0 ? token : token.substring(0, eq);
                final String value = eq < 0 ? "" : token.substring(eq + 1);
                switch (key) {
                    case "vnl":
                        if (!value.isEmpty()) {
                            try {
                                Vnl.parse(value);
                            } catch (IllegalArgumentException e) {
                                throw bad(token, e.getMessage());
                            }
                        }
                        break;
                    case "iface":
                        if (!value.matches("[A-Za-z0-9._-]{1,15}")) {
                            throw bad(token, "an interface name is 1..15 letters, digits, '.', '_' or '-' (IFNAMSIZ)");
                        }
                        if ("lo".equals(value)) {
                            throw bad(token, "'lo' is the loopback interface");
                        }
                        break;
                    case "ifindex":
                        throw bad(token, "one interface per identity: name it with iface=");
                    case "-static":
                        seen.clear();
                        gwTokens.clear();
                        break;
                    case "ip": {
                        final IpPrefix p = IothConf.parse(token).addresses().get(0);
                        hostAddress(token, p.address());
                        for (IpPrefix q : seen) {
                            if (q.address().equals(p.address())) {
                                throw bad(token, "address given twice");
                            }
                        }
                        seen.add(p);
                        break;
                    }
                    case "gw": {
                        final IpAddress g = IothConf.parse(token).gateways().get(0);
                        unicast(token, g);
                        gwTokens.put(g, token);
                        break;
                    }
                    case "dns":
                        unicast(token, IothConf.parse(token).dns().get(0));
                        break;
                    default:
                        break;
                }
            }
            if (conf.has(Flag.SLAAC) && !conf.has(Flag.RD)) {
                throw bad("slaac", "slaac needs rd: the prefixes come in router advertisements (iothconf_rd)");
            }
            for (Map.Entry<IpAddress, String> e : gwTokens.entrySet()) {
                final IpAddress g = e.getKey();
                if (!conf.gateways().contains(g) || onLink(g, conf.addresses())) {
                    continue;
                }
                // a dynamic method of the gateway's family may bring its prefix: installed when it is on-link
                final boolean dynamic = g.v6() ? conf.has(Flag.RD) || conf.has(Flag.DHCP6) : conf.has(Flag.DHCP);
                if (!dynamic) {
                    throw bad(e.getValue(), "the gateway is not on-link in any ip= prefix (Linux: \"Nexthop has "
                            + "invalid gateway\")");
                }
            }
        }

        /** RFC 1122 §3.2.1.3 (the checks {@code Engine.addIpv4} makes) and RFC 4291 §2.5.2, §2.5.3, §2.7. */
        private static void hostAddress(final String token, final IpAddress a) {
            if (a.v6()) {
                if (Ipv6Addr.isUnspecified(a.hi(), a.lo()) || Ipv6Addr.isMulticast(a.hi())
                        || Ipv6Addr.isLoopback(a.hi(), a.lo())) {
                    throw bad(token, "not a unicast host address (RFC 4291 §2.5.2, §2.5.3, §2.7)");
                }
                return;
            }
            final int v = a.v4();
            if (v == 0 || (v >>> 24) == 0 || Ipv4Addr.isMulticast(v) || v == Ipv4Addr.BROADCAST
                    || Ipv4Addr.isLoopback(v)) {
                throw bad(token, "not a unicast host address (RFC 1122 §3.2.1.3)");
            }
        }

        private static void unicast(final String token, final IpAddress a) {
            if (a.v6() ? Ipv6Addr.isUnspecified(a.hi(), a.lo()) || Ipv6Addr.isMulticast(a.hi())
                    : a.v4() == 0 || Ipv4Addr.isMulticast(a.v4()) || a.v4() == Ipv4Addr.BROADCAST) {
                throw bad(token, "not a unicast address");
            }
        }

        private static boolean onLink(final IpAddress g, final List<IpPrefix> addresses) {
            if (g.v6() && Ipv6Addr.isLinkLocal(g.hi())) {
                return true; // RFC 4861 §4.2: routers advertise link-local addresses; fe80::/64 is always on-link
            }
            for (IpPrefix p : addresses) {
                final IpAddress a = p.address();
                if (p.v6() != g.v6() || a.equals(g)) {
                    continue;
                }
                if (g.v6() ? Ipv6Addr.inPrefix(g.hi(), g.lo(), a.hi(), a.lo(), p.prefixLength())
                        : Ipv4Addr.inPrefix(g.v4(), a.v4(), p.prefixLength())) {
                    return true;
                }
            }
            return false;
        }

        private static IllegalArgumentException bad(final String token, final String why) {
            return new IllegalArgumentException("iothconf token '" + token + "': " + why);
        }
    }
}

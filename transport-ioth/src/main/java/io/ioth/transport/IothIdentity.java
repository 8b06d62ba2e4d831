package io.ioth.transport;

import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.Vnl;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A network identity: the wire a stack plugs into, its MAC, its addresses and its gateway, written as an
 * <a href="https://github.com/virtualsquare/iothconf">iothconf</a> string (anchors.md §1.1):
 *
 * <pre>{@code
 * IothIdentity a = IothIdentity.parse("vnl=vde:///tmp/sw,eth,ip=10.0.0.2/24,gw=10.0.0.1");
 * IothIdentity b = IothIdentity.parse("vnl=switch://lab,mac=02:00:00:00:00:0b,ip=192.168.7.2/24");
 * IothIdentity dflt = IothIdentity.defaults();   // the embedded in-JVM switch "default", no address yet
 * }</pre>
 *
 * <p>An identity is bound to an event loop group ({@link IothEventLoopGroup#IothEventLoopGroup(IothIdentity)},
 * or {@link IothIoHandler#newFactory(IothIdentity)}): every event loop of the group runs one stack, and every
 * channel registered with the group lives on it. Two bootstraps with two groups of different identities (two VDE
 * networks, two addresses) live side by side in one JVM.
 *
 * <h2>Grammar (static configuration; DHCP, SLAAC and DNS come with issue 6)</h2>
 * A comma-separated list of tokens, as {@code ioth_newstackc}:
 * <table>
 *   <tr><th>token</th><th>meaning</th></tr>
 *   <tr><td>{@code vnl=VNL}</td><td>the wire (any vde-channel VNL: {@code vde://}, {@code vxvde://}, {@code udp://},
 *       {@code cmd://}, {@code switch://NAME}...); absent or empty: the embedded switch {@code switch://default}.
 *       One interface per identity for now.</td></tr>
 *   <tr><td>{@code iface=NAME}</td><td>the interface name (default {@code vde0}, as libioth's default stack)</td></tr>
 *   <tr><td>{@code eth}</td><td>bring the Ethernet interface up with its MAC (always done here; accepted for
 *       iothconf compatibility)</td></tr>
 *   <tr><td>{@code mac=aa:bb:cc:dd:ee:ff} ({@code macaddr=})</td><td>the MAC; default: a random locally
 *       administered unicast MAC per stack</td></tr>
 *   <tr><td>{@code ip=ADDR/LEN} (repeatable)</td><td>a static address and its on-link prefix; IPv4 or IPv6
 *       (see {@link #ipv6Addresses()})</td></tr>
 *   <tr><td>{@code gw=ADDR}</td><td>the default gateway (one per family); must be on-link in an {@code ip=}
 *       prefix</td></tr>
 * </table>
 * Tokens iothconf knows that belong to issue 6 ({@code dhcp}, {@code slaac}, {@code fqdn=}, {@code dns=}...) and
 * unknown keys are refused: {@link #parse} throws {@link IllegalArgumentException} naming the token, as does a
 * malformed value.
 *
 * <p>Immutable; thread-safe.
 */
public final class IothIdentity {
    /** libioth names the interface of a new stack {@code vde0}. */
    public static final String DEFAULT_IFACE = "vde0";

    /** iothconf tokens planned for issue 6 (dynamic configuration, names, DNS): refused with a clear message. */
    private static final List<String> LATER = List.of("stack", "fqdn", "dhcp", "dhcp4", "dhcpv4", "dhcp6",
            "dhcpv6", "rd", "rd6", "slaac", "auto", "auto4", "auto6", "dns", "domain", "debug", "ifindex");

    private static final IothIdentity DEFAULTS = parse("");

    private final String source;
    private final String vnl;
    private final String iface;
    private final long mac;
    private final boolean eth;
    private final int[] v4Addr;
    private final int[] v4Len;
    private final long[] v6Hi;
    private final long[] v6Lo;
    private final int[] v6Len;
    private final int gw4;
    private final boolean hasGw6;
    private final long gw6Hi;
    private final long gw6Lo;
    private final StackConfig stackConfig;
    private final VdeOptions vdeOptions;

    private IothIdentity(final Parser p, final StackConfig stackConfig, final VdeOptions vdeOptions) {
        this.source = p.source;
        this.vnl = p.vnl;
        this.iface = p.iface;
        this.mac = p.mac;
        this.eth = p.eth;
        this.v4Addr = p.v4Addr.stream().mapToInt(Integer::intValue).toArray();
        this.v4Len = p.v4Len.stream().mapToInt(Integer::intValue).toArray();
        this.v6Hi = p.v6Hi.stream().mapToLong(Long::longValue).toArray();
        this.v6Lo = p.v6Lo.stream().mapToLong(Long::longValue).toArray();
        this.v6Len = p.v6Len.stream().mapToInt(Integer::intValue).toArray();
        this.gw4 = p.gw4;
        this.hasGw6 = p.hasGw6;
        this.gw6Hi = p.gw6Hi;
        this.gw6Lo = p.gw6Lo;
        this.stackConfig = stackConfig;
        this.vdeOptions = vdeOptions;
        this.parser = p;
    }

    private final Parser parser;

    /**
     * Parses an iothconf string.
     *
     * @throws IllegalArgumentException naming the offending token: unknown key, malformed value, a token given
     *                                  twice where only one is allowed, or a gateway that is not on-link
     */
    public static IothIdentity parse(final String iothconf) {
        return new IothIdentity(new Parser(iothconf == null ? "" : iothconf), null, null);
    }

    /** The embedded in-JVM switch {@code switch://default}, a random MAC, no address but loopback. */
    public static IothIdentity defaults() {
        return DEFAULTS;
    }

    /** A copy whose stacks use these engine settings (TTL, queue sizes, batch sizes, a seed for tests...). */
    public IothIdentity withStackConfig(final StackConfig config) {
        return new IothIdentity(parser, Objects.requireNonNull(config, "config"), vdeOptions);
    }

    /** A copy whose wire is opened with these options (port description, auto-reconnect, queue bound...). The
     * ticker is always replaced by the event loop's. */
    public IothIdentity withVdeOptions(final VdeOptions options) {
        return new IothIdentity(parser, stackConfig, Objects.requireNonNull(options, "options"));
    }

    // ---------------------------------------------------------------- accessors

    /** The wire's VNL ({@code ""} = {@code switch://default}). */
    public String vnl() {
        return vnl;
    }

    public String interfaceName() {
        return iface;
    }

    /** Whether a MAC was given ({@code mac=}); otherwise each stack draws a random one. */
    public boolean hasMac() {
        return mac != 0;
    }

    /** The MAC given with {@code mac=}, or 0. */
    public long mac() {
        return mac;
    }

    public boolean eth() {
        return eth;
    }

    /** The static IPv4 addresses as {@code a.b.c.d/len}. */
    public List<String> ipv4Addresses() {
        final List<String> l = new ArrayList<>();
        for (int i = 0; i < v4Addr.length; i++) {
            l.add(Ipv4Addr.format(v4Addr[i]) + "/" + v4Len[i]);
        }
        return l;
    }

    /**
     * The static IPv6 addresses as {@code addr/len}. The stack enables IPv6 on the interface (its EUI-64 link-local
     * address) when the identity has an IPv6 address or gateway; each address is <em>tentative</em> for about a
     * second (Duplicate Address Detection, RFC 4862 §5.4): binding to it fails with "Cannot assign requested
     * address" until it is usable (binding {@code ::} does not).
     */
    public List<String> ipv6Addresses() {
        final List<String> l = new ArrayList<>();
        for (int i = 0; i < v6Hi.length; i++) {
            l.add(Ipv6Addr.format(v6Hi[i], v6Lo[i]) + "/" + v6Len[i]);
        }
        return l;
    }

    /** The IPv4 default gateway, or null. */
    public String gateway4() {
        return gw4 == 0 ? null : Ipv4Addr.format(gw4);
    }

    /** The IPv6 default gateway, or null. */
    public String gateway6() {
        return hasGw6 ? Ipv6Addr.format(gw6Hi, gw6Lo) : null;
    }

    /**
     * Whether two stacks must never be built from this identity: it fixes a MAC or an address, which two stacks on
     * one wire cannot share.
     */
    public boolean isExclusive() {
        return mac != 0 || v4Addr.length > 0 || v6Hi.length > 0;
    }

    /** The original string. */
    public String source() {
        return source;
    }

    // ---------------------------------------------------------------- package-private: what IothIoHandler builds

    int ipv4Count() {
        return v4Addr.length;
    }

    int ipv4Address(final int i) {
        return v4Addr[i];
    }

    int ipv4PrefixLength(final int i) {
        return v4Len[i];
    }

    int gateway4Int() {
        return gw4;
    }

    boolean hasIpv6() {
        return v6Hi.length > 0 || hasGw6;
    }

    int ipv6Count() {
        return v6Hi.length;
    }

    long ipv6Hi(final int i) {
        return v6Hi[i];
    }

    long ipv6Lo(final int i) {
        return v6Lo[i];
    }

    int ipv6PrefixLength(final int i) {
        return v6Len[i];
    }

    boolean hasGateway6() {
        return hasGw6;
    }

    long gateway6Hi() {
        return gw6Hi;
    }

    long gateway6Lo() {
        return gw6Lo;
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

    /** A short name for logs: the first address, else the wire. */
    String describe() {
        if (v4Addr.length > 0) {
            return Ipv4Addr.format(v4Addr[0]);
        }
        if (v6Hi.length > 0) {
            return Ipv6Addr.format(v6Hi[0], v6Lo[0]);
        }
        return vnl.isEmpty() ? "switch://default" : vnl;
    }

    /** The MAC of one stack: the configured one, or a random locally administered unicast MAC (IEEE 802 U/L bit). */
    long macForNewStack() {
        if (mac != 0) {
            return mac;
        }
        final long r = new SecureRandom().nextLong() & 0xffff_ffff_ffffL;
        return (r & ~0x0100_0000_0000L) | 0x0200_0000_0000L; // unicast (I/G = 0), locally administered (U/L = 1)
    }

    /** The canonical iothconf form. */
    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder();
        sb.append("vnl=").append(vnl.isEmpty() ? "switch://default" : vnl);
        if (!DEFAULT_IFACE.equals(iface)) {
            sb.append(",iface=").append(iface);
        }
        if (eth) {
            sb.append(",eth");
        }
        if (mac != 0) {
            sb.append(",mac=").append(MacAddr.format(mac));
        }
        for (String a : ipv4Addresses()) {
            sb.append(",ip=").append(a);
        }
        for (String a : ipv6Addresses()) {
            sb.append(",ip=").append(a);
        }
        if (gw4 != 0) {
            sb.append(",gw=").append(gateway4());
        }
        if (hasGw6) {
            sb.append(",gw=").append(gateway6());
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- the parser

    private static final class Parser {
        final String source;
        String vnl = "";
        boolean vnlSeen;
        String iface = DEFAULT_IFACE;
        boolean ifaceSeen;
        long mac;
        boolean eth;
        final List<Integer> v4Addr = new ArrayList<>();
        final List<Integer> v4Len = new ArrayList<>();
        final List<Long> v6Hi = new ArrayList<>();
        final List<Long> v6Lo = new ArrayList<>();
        final List<Integer> v6Len = new ArrayList<>();
        int gw4;
        boolean hasGw6;
        long gw6Hi;
        long gw6Lo;
        String gw4Token;
        String gw6Token;

        Parser(final String s) {
            this.source = s;
            // iothconf splits on commas (iothconf.c: strtok_r(config, ",", ...)); VNLs contain none
            for (String raw : s.split(",", -1)) {
                final String token = raw.strip();
                if (!token.isEmpty()) {
                    token(token);
                }
            }
            if (gw4Token != null && !onLink4(gw4)) {
                throw bad(gw4Token, "the gateway is not on-link in any ip= prefix (Linux: \"Nexthop has invalid "
                        + "gateway\")");
            }
            if (gw6Token != null && !onLink6(gw6Hi, gw6Lo)) {
                throw bad(gw6Token, "the gateway is not on-link in any ip= prefix");
            }
        }

        private void token(final String token) {
            final int eq = token.indexOf('=');
            final String key = (eq < 0 ? token : token.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            final String value = eq < 0 ? null : token.substring(eq + 1).strip();
            if (key.startsWith("-") && LATER.contains(key.substring(1)) || LATER.contains(key)) {
                throw bad(token, "not supported yet (dynamic configuration, names and DNS come with issue 6); "
                        + "this version takes vnl=, iface=, eth, mac=, ip=, gw=");
            }
            switch (key) {
                case "vnl":
                    if (vnlSeen) {
                        throw bad(token, "vnl= given twice (one interface per identity for now)");
                    }
                    vnlSeen = true;
                    vnl = required(token, value);
                    try {
                        Vnl.parse(vnl);
                    } catch (IllegalArgumentException e) {
                        throw bad(token, e.getMessage());
                    }
                    break;
                case "iface":
                    if (ifaceSeen) {
                        throw bad(token, "iface= given twice (one interface per identity for now)");
                    }
                    ifaceSeen = true;
                    iface = required(token, value);
                    if (!iface.matches("[A-Za-z0-9._-]{1,15}")) {
                        throw bad(token, "an interface name is 1..15 letters, digits, '.', '_' or '-' (IFNAMSIZ)");
                    }
                    if ("lo".equals(iface)) {
                        throw bad(token, "'lo' is the loopback interface");
                    }
                    break;
                case "eth":
                    if (value != null) {
                        throw bad(token, "eth is a flag and takes no value");
                    }
                    eth = true;
                    break;
                case "-eth":
                    eth = false;
                    break;
                case "mac":
                case "macaddr":
                    mac(token, required(token, value));
                    break;
                case "ip":
                    ip(token, required(token, value));
                    break;
                case "gw":
                    gw(token, required(token, value));
                    break;
                default:
                    throw bad(token, "unknown key '" + key + "' (this version takes vnl=, iface=, eth, mac=, ip=, "
                            + "gw=)");
            }
        }

        private void mac(final String token, final String value) {
            if (mac != 0) {
                throw bad(token, "mac= given twice");
            }
            final long m;
            try {
                m = MacAddr.parse(value);
            } catch (IllegalArgumentException e) {
                throw bad(token, "not a MAC address (aa:bb:cc:dd:ee:ff)");
            }
            if (m == 0 || MacAddr.isMulticast(m)) {
                throw bad(token, "not a unicast MAC (the I/G bit of the first octet must be 0)");
            }
            mac = m;
        }

        private void ip(final String token, final String value) {
            final int slash = value.indexOf('/');
            if (slash < 0) {
                throw bad(token, "ip= needs ADDR/PREFIXLEN (e.g. 10.0.0.2/24)");
            }
            final String addr = value.substring(0, slash);
            final int len = prefixLength(token, value.substring(slash + 1), addr.indexOf(':') >= 0 ? 128 : 32);
            if (addr.indexOf(':') >= 0) {
                final long[] a = new long[2];
                if (!Ipv6Addr.tryParse(addr, a)) {
                    throw bad(token, "not an IPv6 address: '" + addr + "'");
                }
                if (Ipv6Addr.isUnspecified(a[0], a[1]) || Ipv6Addr.isMulticast(a[0])
                        || Ipv6Addr.isLoopback(a[0], a[1])) {
                    throw bad(token, "not a unicast host address (RFC 4291 §2.5.2, §2.5.3, §2.7)");
                }
                for (int i = 0; i < v6Hi.size(); i++) {
                    if (v6Hi.get(i) == a[0] && v6Lo.get(i) == a[1]) {
                        throw bad(token, "address given twice");
                    }
                }
                v6Hi.add(a[0]);
                v6Lo.add(a[1]);
                v6Len.add(len);
                return;
            }
            final int a = ipv4(token, addr);
            // the checks Engine.addIpv4 makes, here so that the error names the token (RFC 1122 §3.2.1.3)
            if (a == 0 || (a >>> 24) == 0 || Ipv4Addr.isMulticast(a) || a == Ipv4Addr.BROADCAST
                    || Ipv4Addr.isLoopback(a)) {
                throw bad(token, "not a unicast host address (RFC 1122 §3.2.1.3)");
            }
            if (v4Addr.contains(a)) {
                throw bad(token, "address given twice");
            }
            v4Addr.add(a);
            v4Len.add(len);
        }

        private void gw(final String token, final String value) {
            if (value.indexOf(':') >= 0) {
                if (gw6Token != null) {
                    throw bad(token, "an IPv6 gw= given twice");
                }
                final long[] a = new long[2];
                if (!Ipv6Addr.tryParse(value, a) || Ipv6Addr.isMulticast(a[0])
                        || Ipv6Addr.isUnspecified(a[0], a[1])) {
                    throw bad(token, "not an IPv6 unicast address: '" + value + "'");
                }
                gw6Token = token;
                hasGw6 = true;
                gw6Hi = a[0];
                gw6Lo = a[1];
                return;
            }
            if (gw4Token != null) {
                throw bad(token, "an IPv4 gw= given twice");
            }
            final int a = ipv4(token, value);
            if (a == 0 || Ipv4Addr.isMulticast(a) || a == Ipv4Addr.BROADCAST || Ipv4Addr.isLoopback(a)) {
                throw bad(token, "not a unicast address");
            }
            gw4Token = token;
            gw4 = a;
        }

        private boolean onLink4(final int a) {
            for (int i = 0; i < v4Addr.size(); i++) {
                if (v4Len.get(i) > 0 && Ipv4Addr.inPrefix(a, v4Addr.get(i), v4Len.get(i)) && a != v4Addr.get(i)) {
                    return true;
                }
            }
            return false;
        }

        private boolean onLink6(final long hi, final long lo) {
            if (Ipv6Addr.isLinkLocal(hi)) {
                return true; // RFC 4861 §4.2: routers advertise link-local addresses; fe80::/64 is always on-link
            }
            for (int i = 0; i < v6Hi.size(); i++) {
                if (Ipv6Addr.inPrefix(hi, lo, v6Hi.get(i), v6Lo.get(i), v6Len.get(i))) {
                    return true;
                }
            }
            return false;
        }

        private static int ipv4(final String token, final String s) {
            // strict dotted quad: Ipv4Addr.parse plus a shape check (no "10.1", no leading '+')
            if (!s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                throw bad(token, "not an IPv4 address: '" + s + "'");
            }
            try {
                return Ipv4Addr.parse(s);
            } catch (IllegalArgumentException e) {
                throw bad(token, "not an IPv4 address: '" + s + "'");
            }
        }

        private static int prefixLength(final String token, final String s, final int max) {
            if (!s.matches("\\d{1,3}")) {
                throw bad(token, "prefix length '" + s + "' is not a number 0.." + max);
            }
            final int n = Integer.parseInt(s);
            if (n > max) {
                throw bad(token, "prefix length " + n + " out of range 0.." + max);
            }
            return n;
        }

        private static String required(final String token, final String value) {
            if (value == null || value.isEmpty()) {
                throw bad(token, "needs a value");
            }
            return value;
        }

        private static IllegalArgumentException bad(final String token, final String why) {
            return new IllegalArgumentException("iothconf token '" + token + "': " + why);
        }
    }
}

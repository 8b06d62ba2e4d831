package io.ioth.tcpip.conf;

import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.MacAddr;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * An <a href="https://github.com/virtualsquare/iothconf">iothconf</a> configuration string, parsed (anchors.md §1.1):
 * the grammar of {@code ioth_newstackc} / {@code ioth_config}, a comma-separated list of flags and
 * {@code key=value} pairs.
 *
 * <table>
 *   <tr><th>token</th><th>meaning</th></tr>
 *   <tr><td>{@code stack=NAME}, {@code vnl=VNL}</td><td>stack implementation and VDE network (newstackc)</td></tr>
 *   <tr><td>{@code iface=NAME}, {@code ifindex=N}</td><td>the interface (default {@code vde0})</td></tr>
 *   <tr><td>{@code fqdn=NAME}</td><td>the name for DHCP/DHCPv6, and the seed of the hash MAC and IPv6 interface
 *       id ({@link #hashMac}, {@link #hashInterfaceId})</td></tr>
 *   <tr><td>{@code mac=}, {@code macaddr=}</td><td>the MAC (used by {@code eth})</td></tr>
 *   <tr><td>{@code eth}</td><td>bring the link up with {@code mac}, else the hash MAC of {@code fqdn}</td></tr>
 *   <tr><td>{@code dhcp}, {@code dhcp4}, {@code dhcpv4}</td><td>DHCPv4</td></tr>
 *   <tr><td>{@code dhcp6}, {@code dhcpv6}</td><td>DHCPv6</td></tr>
 *   <tr><td>{@code rd}, {@code rd6}</td><td>router discovery (RFC 4861)</td></tr>
 *   <tr><td>{@code slaac}</td><td>stateless autoconfiguration from the RA prefixes</td></tr>
 *   <tr><td>{@code auto}; {@code auto4}/{@code autov4}; {@code auto6}/{@code autov6}</td><td>{@code eth,dhcp,dhcp6,rd};
 *       {@code eth,dhcp}; {@code eth,dhcp6,rd}</td></tr>
 *   <tr><td>{@code ip=ADDR[/LEN]} (repeatable)</td><td>a static address, IPv4 (default /24) or IPv6 (default
 *       /64), as iothconf (a missing or zero length means the default)</td></tr>
 *   <tr><td>{@code gw=ADDR}, {@code dns=ADDR} (repeatable)</td><td>static default gateways and DNS servers, v4 or
 *       v6</td></tr>
 *   <tr><td>{@code domain=NAME} (repeatable)</td><td>DNS search domains</td></tr>
 *   <tr><td>{@code debug}</td><td>dump the configuration state</td></tr>
 *   <tr><td>{@code -static, -eth, -dhcp (-dhcp4, -dhcpv4), -dhcp6 (-dhcpv6), -rd (-rd6), -auto (-all), -auto4
 *       (-autov4), -auto6 (-autov6)}</td><td>undo</td></tr>
 * </table>
 *
 * <p><b>Undo.</b> iothconf runs the undo ("clean") operations before the configuration ones, so that a string
 * re-applied to a stack first removes what an earlier one configured. We record them in {@link #undo()} for that
 * purpose, and also let them cancel what the same string enabled before them: {@code auto,-dhcp6} is
 * {@code eth,dhcp,rd}; {@code ip=10.0.0.1/24,-static} configures no static address. (Plain iothconf would still run
 * DHCPv6 for {@code auto,-dhcp6}.)
 *
 * <p>Keys are case-sensitive, as iothconf's {@code strcase}. An unknown token, a flag given a value, a key without
 * its value, a malformed value, or a single-valued key given twice throws {@link IllegalArgumentException} naming
 * the token.
 *
 * <p>Immutable; thread-safe.
 */
public final class IothConf {
    /** The default interface of a libioth stack. */
    public static final String DEFAULT_IFACE = "vde0";

    /** What to configure (iothconf's IOTHCONF_* bits). {@link #STATIC} is set by any ip/gw/dns/domain. */
    public enum Flag { STATIC, ETH, DHCP, DHCP6, RD, SLAAC, DEBUG }

    /** An address of either family: IPv4 in {@link #v4}, IPv6 in {@link #hi}/{@link #lo}. */
    public record IpAddress(boolean v6, int v4, long hi, long lo) {
        public static IpAddress parse(final String s) {
            final long[] a = new long[2];
            if (s.indexOf(':') >= 0) {
                if (!Ipv6Addr.tryParse(s, a)) {
                    throw new IllegalArgumentException("not an IPv6 address: " + s);
                }
                return new IpAddress(true, 0, a[0], a[1]);
            }
            return new IpAddress(false, Ipv4Addr.parse(s), 0L, 0L);
        }

        @Override
        public String toString() {
            return v6 ? Ipv6Addr.format(hi, lo) : Ipv4Addr.format(v4);
        }
    }

    /** An address with its prefix length ({@code ip=}). */
    public record IpPrefix(IpAddress address, int prefixLength) {
        public boolean v6() {
            return address.v6();
        }

        @Override
        public String toString() {
            return address + "/" + prefixLength;
        }
    }

    private final String source;
    private final String stack;
    private final String vnl;
    private final String iface;
    private final int ifindex;
    private final String fqdn;
    private final long mac;
    private final Set<Flag> flags;
    private final Set<Flag> undo;
    private final List<IpPrefix> addresses;
    private final List<IpAddress> gateways;
    private final List<IpAddress> dns;
    private final List<String> domains;

    private IothConf(final Parser p) {
        source = p.source;
        stack = p.stack;
        vnl = p.vnl;
        iface = p.iface;
        ifindex = p.ifindex;
        fqdn = p.fqdn;
        mac = p.mac;
        flags = Collections.unmodifiableSet(p.flags.isEmpty() ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(p.flags));
        undo = Collections.unmodifiableSet(p.undo.isEmpty() ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(p.undo));
        addresses = List.copyOf(p.addresses);
        gateways = List.copyOf(p.gateways);
        dns = List.copyOf(p.dns);
        domains = List.copyOf(p.domains);
    }

    /**
     * Parses an iothconf string (null or empty: nothing configured).
     *
     * @throws IllegalArgumentException naming the offending token
     */
    public static IothConf parse(final String config) {
        return new IothConf(new Parser(config == null ? "" : config));
    }

    /** The string parsed. */
    public String source() {
        return source;
    }

    /** {@code stack=}, or null. */
    public String stack() {
        return stack;
    }

    /** {@code vnl=}, or null (absent or empty). */
    public String vnl() {
        return vnl;
    }

    /** {@code iface=}, else {@link #DEFAULT_IFACE}. */
    public String iface() {
        return iface != null ? iface : DEFAULT_IFACE;
    }

    /** {@code ifindex=}, or 0. */
    public int ifindex() {
        return ifindex;
    }

    /** {@code fqdn=} (as given, a trailing dot kept), or null. */
    public String fqdn() {
        return fqdn;
    }

    /** Whether {@code mac=} was given. */
    public boolean hasMac() {
        return mac != 0;
    }

    /** {@code mac=}, or 0. */
    public long mac() {
        return mac;
    }

    /**
     * The MAC {@code eth} sets, as iothconf's {@code iothconf_eth}: {@code mac=} if given, else the hash MAC of
     * {@code fqdn}, else 0 (keep the interface's own).
     */
    public long effectiveMac() {
        if (mac != 0) {
            return mac;
        }
        return fqdn != null ? hashMac(fqdn) : 0L;
    }

    /** The flags to configure (after the undo tokens of the same string cancelled theirs). */
    public Set<Flag> flags() {
        return flags;
    }

    public boolean has(final Flag f) {
        return flags.contains(f);
    }

    /** The undo tokens: what to clean from an earlier configuration before applying this one. */
    public Set<Flag> undo() {
        return undo;
    }

    public List<IpPrefix> addresses() {
        return addresses;
    }

    public List<IpAddress> gateways() {
        return gateways;
    }

    public List<IpAddress> dns() {
        return dns;
    }

    public List<String> domains() {
        return domains;
    }

    /** The first {@code domain=}, or null. */
    public String domain() {
        return domains.isEmpty() ? null : domains.get(0);
    }

    /** The IPv4 default gateway (the first {@code gw=} of that family), or 0. */
    public int gateway4() {
        for (IpAddress g : gateways) {
            if (!g.v6()) {
                return g.v4();
            }
        }
        return 0;
    }

    /**
     * The IPv6 interface identifier SLAAC uses (iothconf_rd.c): the hash of {@code fqdn} if given, else the
     * modified EUI-64 of {@code mac} (the interface's MAC if 0).
     */
    public long slaacInterfaceId(final long interfaceMac) {
        if (fqdn != null) {
            return hashInterfaceId(fqdn);
        }
        return Ipv6Addr.eui64Lo(mac != 0 ? mac : interfaceMac);
    }

    /**
     * The DHCPv4 client settings this string implies (the {@code fqdn} for options 12 and 81), to refine and pass to
     * {@code Stack.startDhcp4Client} when {@link #has has(Flag.DHCP)}.
     */
    public io.ioth.tcpip.dhcp.Dhcp4ClientConfig.Builder dhcp4Config() {
        return io.ioth.tcpip.dhcp.Dhcp4ClientConfig.builder().fqdn(fqdn);
    }

    // ================================================================ iothconf_hash.c

    /**
     * The hash MAC of a name, byte for byte as {@code iothconf_hashmac}: MD5 of the name (one trailing dot
     * dropped); bytes 0, 1, 2, 5, 6, 7 of the digest; then the locally administered bit set and the group bit
     * cleared in the first byte.
     */
    public static long hashMac(final String name) {
        final byte[] d = md5(name);
        long m = 0;
        final int[] pick = {0, 1, 2, 5, 6, 7};
        for (int i : pick) {
            m = m << 8 | (d[i] & 0xff);
        }
        m |= 0x02L << 40;   // umac[0] |= 0x2: locally administered
        m &= ~(0x01L << 40); // umac[0] &= ~0x1: unicast
        return m;
    }

    /**
     * The hash interface identifier of a name, as {@code iothconf_hashaddr6} applies it to a prefix whose low 64
     * bits are zero: the first 8 bytes of MD5(name) (one trailing dot dropped), with the two low bits of the first
     * byte cleared ("locally adm, unicast").
     */
    public static long hashInterfaceId(final String name) {
        return hashAddr6Lo(0L, name);
    }

    /** {@code iothconf_hashaddr6} on an address's low 64 bits: XOR with the digest, then byte 8 &= ~3. */
    public static long hashAddr6Lo(final long lo, final String name) {
        final byte[] d = md5(name);
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = h << 8 | (d[i] & 0xff);
        }
        return (lo ^ h) & ~(0x03L << 56);
    }

    private static byte[] md5(final String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("empty name");
        }
        // "if (name[namelen-1] == '.') namelen--;"
        final String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        try {
            return MessageDigest.getInstance("MD5").digest(n.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required JDK algorithm", e);
        }
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("IothConf[");
        if (stack != null) {
            sb.append("stack=").append(stack).append(' ');
        }
        if (vnl != null) {
            sb.append("vnl=").append(vnl).append(' ');
        }
        sb.append("iface=").append(iface()).append(' ').append(flags);
        if (!undo.isEmpty()) {
            sb.append(" undo ").append(undo);
        }
        if (fqdn != null) {
            sb.append(" fqdn=").append(fqdn);
        }
        if (mac != 0) {
            sb.append(" mac=").append(MacAddr.format(mac));
        }
        for (IpPrefix p : addresses) {
            sb.append(" ip=").append(p);
        }
        for (IpAddress g : gateways) {
            sb.append(" gw=").append(g);
        }
        for (IpAddress d : dns) {
            sb.append(" dns=").append(d);
        }
        for (String d : domains) {
            sb.append(" domain=").append(d);
        }
        return sb.append(']').toString();
    }

    // ================================================================ the parser

    private static final class Parser {
        final String source;
        String stack;
        String vnl;
        boolean vnlSeen;
        String iface;
        int ifindex;
        String fqdn;
        long mac;
        final EnumSet<Flag> flags = EnumSet.noneOf(Flag.class);
        final EnumSet<Flag> undo = EnumSet.noneOf(Flag.class);
        final List<IpPrefix> addresses = new ArrayList<>();
        final List<IpAddress> gateways = new ArrayList<>();
        final List<IpAddress> dns = new ArrayList<>();
        final List<String> domains = new ArrayList<>();

        Parser(final String s) {
            source = s;
            for (String raw : s.split(",", -1)) {
                final String token = raw.strip();
                if (token.isEmpty()) {
                    continue; // ",," and a trailing comma, as stropt
                }
                final int eq = token.indexOf('=');
                final String key = eq < 0 ? token : token.substring(0, eq);
                final String value = eq < 0 ? null : token.substring(eq + 1);
                try {
                    token(key, value);
                } catch (IllegalArgumentException e) {
                    throw e.getMessage() != null && e.getMessage().startsWith("iothconf token '") ? e
                            : new IllegalArgumentException("iothconf token '" + token + "': " + e.getMessage(), e);
                }
            }
        }

        private void token(final String key, final String value) {
            switch (key) {
                case "eth": flag(value, Flag.ETH); return;
                case "dhcp": case "dhcp4": case "dhcpv4": flag(value, Flag.DHCP); return;
                case "dhcp6": case "dhcpv6": flag(value, Flag.DHCP6); return;
                case "rd": case "rd6": flag(value, Flag.RD); return;
                case "slaac": flag(value, Flag.SLAAC); return;
                case "debug": flag(value, Flag.DEBUG); return;
                case "auto": flag(value, Flag.ETH, Flag.DHCP, Flag.DHCP6, Flag.RD); return;
                case "auto4": case "autov4": flag(value, Flag.ETH, Flag.DHCP); return;
                case "auto6": case "autov6": flag(value, Flag.ETH, Flag.DHCP6, Flag.RD); return;
                case "-static": unflag(value, Flag.STATIC); return;
                case "-eth": unflag(value, Flag.ETH); return;
                case "-dhcp": case "-dhcp4": case "-dhcpv4": unflag(value, Flag.DHCP); return;
                case "-dhcp6": case "-dhcpv6": unflag(value, Flag.DHCP6); return;
                case "-rd": case "-rd6": unflag(value, Flag.RD); return;
                case "-auto": case "-all": unflag(value, Flag.ETH, Flag.DHCP, Flag.DHCP6, Flag.RD); return;
                case "-auto4": case "-autov4": unflag(value, Flag.ETH, Flag.DHCP); return;
                case "-auto6": case "-autov6": unflag(value, Flag.ETH, Flag.DHCP6, Flag.RD); return;
                case "stack":
                    stack = once(stack, nonEmpty(value), key);
                    return;
                case "vnl":
                    if (vnlSeen) {
                        throw new IllegalArgumentException("given twice");
                    }
                    vnlSeen = true;
                    vnl = required(value).isEmpty() ? null : value;
                    return;
                case "iface":
                    iface = once(iface, nonEmpty(value), key);
                    return;
                case "ifindex": {
                    if (ifindex != 0) {
                        throw new IllegalArgumentException("given twice");
                    }
                    final int n;
                    try {
                        n = Integer.parseInt(nonEmpty(value));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("not an interface index");
                    }
                    if (n <= 0) {
                        throw new IllegalArgumentException("interface index must be > 0");
                    }
                    ifindex = n;
                    return;
                }
                case "fqdn": {
                    final String f = nonEmpty(value);
                    checkName(f);
                    fqdn = once(fqdn, f, key);
                    return;
                }
                case "mac":
                case "macaddr": {
                    if (mac != 0) {
                        throw new IllegalArgumentException("given twice");
                    }
                    final long m = MacAddr.parse(nonEmpty(value));
                    if (m == 0 || MacAddr.isMulticast(m)) {
                        throw new IllegalArgumentException("not a unicast MAC");
                    }
                    mac = m;
                    return;
                }
                case "ip":
                    addresses.add(prefix(nonEmpty(value)));
                    flags.add(Flag.STATIC);
                    return;
                case "gw":
                    gateways.add(IpAddress.parse(nonEmpty(value)));
                    flags.add(Flag.STATIC);
                    return;
                case "dns":
                    dns.add(IpAddress.parse(nonEmpty(value)));
                    flags.add(Flag.STATIC);
                    return;
                case "domain": {
                    final String d = nonEmpty(value);
                    checkName(d);
                    domains.add(d);
                    flags.add(Flag.STATIC);
                    return;
                }
                default:
                    throw new IllegalArgumentException("unknown key");
            }
        }

        private void flag(final String value, final Flag... fs) {
            if (value != null) {
                throw new IllegalArgumentException("a flag takes no value");
            }
            Collections.addAll(flags, fs);
        }

        private void unflag(final String value, final Flag... fs) {
            if (value != null) {
                throw new IllegalArgumentException("a flag takes no value");
            }
            for (Flag f : fs) {
                flags.remove(f);
                undo.add(f);
                if (f == Flag.STATIC) {
                    addresses.clear();
                    gateways.clear();
                    dns.clear();
                    domains.clear();
                }
            }
        }

        private static String required(final String v) {
            if (v == null) {
                throw new IllegalArgumentException("needs a value");
            }
            return v;
        }

        private static String nonEmpty(final String v) {
            if (required(v).isEmpty()) {
                throw new IllegalArgumentException("empty value");
            }
            return v;
        }

        private static String once(final String old, final String v, final String key) {
            if (old != null) {
                throw new IllegalArgumentException(key + " given twice");
            }
            return v;
        }

        /** Labels of 1..63 letters, digits, '-' or '_' (RFC 1035 §2.3.1, relaxed as hostnames are); a trailing
         * dot allowed; at most 253 characters. */
        private static void checkName(final String n) {
            final String s = n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
            if (s.isEmpty() || s.length() > 253) {
                throw new IllegalArgumentException("bad domain name length");
            }
            for (String label : s.split("\\.", -1)) {
                if (label.isEmpty() || label.length() > 63) {
                    throw new IllegalArgumentException("bad domain name label");
                }
                for (int i = 0; i < label.length(); i++) {
                    final char c = label.charAt(i);
                    if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
                            || c == '_')) {
                        throw new IllegalArgumentException("bad character in domain name");
                    }
                }
            }
        }

        /** {@code addr[/len]}: a missing or zero length means /24 (IPv4) or /64 (IPv6), as iothconf_static. */
        private static IpPrefix prefix(final String v) {
            final int slash = v.indexOf('/');
            final IpAddress a = IpAddress.parse(slash < 0 ? v : v.substring(0, slash));
            int len = 0;
            if (slash >= 0) {
                final String l = v.substring(slash + 1);
                if (l.isEmpty() || l.length() > 3 || !l.chars().allMatch(Character::isDigit)) {
                    throw new IllegalArgumentException("bad prefix length");
                }
                len = Integer.parseInt(l);
                if (len > (a.v6() ? 128 : 32)) {
                    throw new IllegalArgumentException("prefix length out of range");
                }
            }
            if (len == 0) {
                len = a.v6() ? 64 : 24;
            }
            if (!a.v6() && (a.v4() == 0 || Ipv4Addr.isMulticast(a.v4()) || a.v4() == Ipv4Addr.BROADCAST)) {
                throw new IllegalArgumentException("not a unicast address");
            }
            if (a.v6() && (Ipv6Addr.isUnspecified(a.hi(), a.lo()) || Ipv6Addr.isMulticast(a.hi()))) {
                throw new IllegalArgumentException("not a unicast address");
            }
            return new IpPrefix(a, len);
        }
    }
}

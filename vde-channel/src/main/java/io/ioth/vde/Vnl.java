package io.ioth.vde;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Virtual Network Locator: the vdeplug4 URL naming a wire.
 *
 * <table>
 * <caption>Accepted forms</caption>
 * <tr><td>{@code vde:///dir}, {@code vde:///dir[N]}, {@code vde:///dir[port=N/mode=660]}, {@code /dir[N]}</td>
 *     <td>a port on a vde_switch</td></tr>
 * <tr><td>{@code vxvde://[group][/port=P][/vni=V][/ttl=T][/if=NAME][/bind=ADDR][/grp=G][/v4|/v6]...}</td>
 *     <td>switchless multicast Ethernet</td></tr>
 * <tr><td>{@code udp://[local:]port->host:port}</td><td>a point-to-point UDP cable</td></tr>
 * <tr><td>{@code cmd://command args}</td><td>a stream cable to a child process (e.g. {@code ssh host vde_plug})</td></tr>
 * <tr><td>{@code stdio://}</td><td>a stream cable on this process's stdin/stdout (the far end of a {@code dpipe})</td></tr>
 * <tr><td>{@code switch://name}, {@code hub://name}, or an empty string</td>
 *     <td>the embedded in-JVM switch (or hub) of that name; empty means {@code switch://default}</td></tr>
 * </table>
 *
 * A malformed VNL gives an {@link IllegalArgumentException} whose message names the offending part.
 */
public sealed interface Vnl permits Vnl.Switch, Vnl.Vxvde, Vnl.Udp, Vnl.Cmd, Vnl.Stdio, Vnl.Embedded {

    /** vdeplug4's vxvde defaults (libvdeplug_vxvde.c). */
    int VXVDE_PORT = 14789, VXVDE_VNI = 1, VXVDE_TTL = 1, VXVDE_HASHSIZE = 1024, VXVDE_EXPIRE = 128;

    /**
     * A port on a vde_switch.
     *
     * @param dir the switch directory (holding {@code ctl})
     * @param port the port asked for: {@link #ANY_PORT} lets the switch choose, 0 asks for port 0
     * @param portgroup a non-numeric port argument (tried as a socket in {@code dir} first), or null
     * @param group the group to give the client socket, or null
     * @param mode the octal mode for the client socket, or -1 for libvdeplug's default (0700)
     */
    record Switch(String dir, int port, String portgroup, String group, int mode) implements Vnl {
        public static final int ANY_PORT = -1;

        @Override
        public String toString() {
            StringBuilder opts = new StringBuilder();
            if (port != ANY_PORT) opts.append("port=").append(port);
            if (portgroup != null) append(opts, "portgroup=" + portgroup);
            if (group != null) append(opts, "group=" + group);
            if (mode >= 0) append(opts, "mode=" + Integer.toOctalString(mode));
            return "vde://" + dir + (opts.length() > 0 ? "[" + opts + "]" : "");
        }

        private static void append(StringBuilder sb, String s) {
            if (sb.length() > 0) sb.append('/');
            sb.append(s);
        }
    }

    /** Switchless multicast VDE (vdeplug4's vxvde plugin). */
    record Vxvde(InetAddress group, int port, int vni, int ttl, String ifname, InetAddress bind,
                 int receiveBufferSize, int hashSize, int expireSeconds) implements Vnl {
        public boolean ipv6() { return group instanceof Inet6Address; }

        @Override
        public String toString() {
            String g = group.getHostAddress();
            StringBuilder sb = new StringBuilder("vxvde://").append(g)
                    .append("/port=").append(port).append("/vni=").append(vni).append("/ttl=").append(ttl);
            if (ifname != null) sb.append("/if=").append(ifname);
            if (bind != null) sb.append("/bind=").append(bind.getHostAddress());
            return sb.toString();
        }
    }

    /** A UDP point-to-point cable: raw frames, one per datagram, no header. */
    record Udp(InetAddress localAddress, int localPort, String remoteHost, int remotePort) implements Vnl {
        @Override
        public String toString() {
            String l = localAddress == null ? "" : bracket(localAddress.getHostAddress()) + ":";
            return "udp://" + l + localPort + "->" + bracket(remoteHost) + ":" + remotePort;
        }

        private static String bracket(String h) {
            return h.indexOf(':') >= 0 ? "[" + h + "]" : h;
        }
    }

    /** A stream cable to a child process, run with {@code /bin/sh -c}. */
    record Cmd(String command) implements Vnl {
        @Override
        public String toString() { return "cmd://" + command; }
    }

    /** A stream cable over this process's stdin and stdout. */
    record Stdio() implements Vnl {
        @Override
        public String toString() { return "stdio://"; }
    }

    /** A port on the embedded in-JVM switch (or hub) of this name. */
    record Embedded(String name, boolean hub) implements Vnl {
        @Override
        public String toString() { return (hub ? "hub://" : "switch://") + name; }
    }

    /** Parses a VNL. {@code null} or blank means the embedded default switch. */
    static Vnl parse(String vnl) {
        return VnlParser.parse(vnl);
    }
}

/** The parser behind {@link Vnl#parse}; package-private so the records stay plain values. */
final class VnlParser {
    private VnlParser() {}

    static Vnl parse(String vnl) {
        if (vnl == null || vnl.isBlank()) return new Vnl.Embedded("default", false);
        String s = vnl.strip();
        int sep = s.indexOf("://");
        if (sep < 0) return parseSwitch(s, s);
        String scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
        String rest = s.substring(sep + 3);
        switch (scheme) {
            case "vde": return parseSwitch(s, rest);
            case "vxvde": return parseVxvde(s, rest);
            case "udp": return parseUdp(s, rest);
            case "cmd":
                if (rest.isBlank()) throw bad(s, "cmd:// needs a command");
                return new Vnl.Cmd(rest);
            case "stdio":
                if (!rest.isEmpty()) throw bad(s, "stdio:// takes no arguments, got '" + rest + "'");
                return new Vnl.Stdio();
            case "switch":
            case "hub": {
                String name = rest.isEmpty() ? "default" : rest;
                if (!name.matches("[A-Za-z0-9._-]+")) throw bad(s, "switch name '" + name + "' (letters, digits, . _ -)");
                return new Vnl.Embedded(name, scheme.equals("hub"));
            }
            default:
                throw bad(s, "unknown scheme '" + scheme + "://' (vde, vxvde, udp, cmd, stdio, switch, hub)");
        }
    }

    private static IllegalArgumentException bad(String vnl, String what) {
        return new IllegalArgumentException("bad VNL '" + vnl + "': " + what);
    }

    // vde://PATH[OPTS]: OPTS split on '/', each key=value or a bare port; key prefixes accepted.
    private static Vnl parseSwitch(String vnl, String rest) {
        String path = rest;
        String opts = null;
        int lb = rest.indexOf('[');
        if (lb >= 0) {
            if (!rest.endsWith("]")) throw bad(vnl, "'[' without a closing ']' at the end");
            path = rest.substring(0, lb);
            opts = rest.substring(lb + 1, rest.length() - 1);
            if (opts.indexOf('[') >= 0 || opts.indexOf(']') >= 0) throw bad(vnl, "stray bracket in '[" + opts + "]'");
        } else if (rest.indexOf(']') >= 0) {
            throw bad(vnl, "']' without '['");
        }
        if (path.isEmpty()) path = "/var/run/vde.ctl";
        int port = Vnl.Switch.ANY_PORT;
        String portgroup = null, group = null;
        int mode = -1;
        if (opts != null) {
            for (String opt : splitOpts(vnl, opts)) {
                if (opt.isEmpty()) continue;
                int eq = opt.indexOf('=');
                String key = eq < 0 ? "port" : opt.substring(0, eq);
                String value = unquote(vnl, eq < 0 ? opt : opt.substring(eq + 1));
                switch (matchKey(vnl, key, "port", "portgroup", "group", "mode")) {
                    case "port":
                    case "portgroup":
                        if (value.matches("\\d+")) {
                            port = parseInt(vnl, "port", value, 0, 0xffffff);
                        } else if (!value.isEmpty()) {
                            portgroup = value;
                        } else {
                            throw bad(vnl, "empty port");
                        }
                        break;
                    case "group":
                        group = value;
                        break;
                    default:
                        try {
                            mode = Integer.parseInt(value, 8);
                        } catch (NumberFormatException e) {
                            throw bad(vnl, "mode '" + value + "' is not octal");
                        }
                        if (mode < 0 || mode > 0777) throw bad(vnl, "mode '" + value + "' out of range");
                }
            }
        }
        return new Vnl.Switch(path, port, portgroup, group, mode);
    }

    private static Vnl parseVxvde(String vnl, String rest) {
        List<String> parts = splitOpts(vnl, rest);
        String addr = parts.isEmpty() ? "" : parts.get(0);
        if (addr.contains("=")) { // vxvde:///vni=3 or vxvde://vni=3 : no address given
            addr = "";
        } else if (!parts.isEmpty()) {
            parts = parts.subList(1, parts.size());
        }
        int port = Vnl.VXVDE_PORT, ttl = Vnl.VXVDE_TTL, hash = Vnl.VXVDE_HASHSIZE, expire = Vnl.VXVDE_EXPIRE;
        int vni = -1, grp = -1, rcvbuf = 0;
        String ifname = null;
        InetAddress bind = null;
        Boolean v6 = null;
        for (String opt : parts) {
            if (opt.isEmpty()) continue;
            int eq = opt.indexOf('=');
            String key = eq < 0 ? opt : opt.substring(0, eq);
            String value = eq < 0 ? "" : unquote(vnl, opt.substring(eq + 1));
            String k = matchKey(vnl, key, "port", "vni", "ttl", "grp", "v4", "v6", "if", "bind", "rcvbuf",
                    "hashsize", "expiretime");
            if (eq < 0 && !k.equals("v4") && !k.equals("v6")) throw bad(vnl, "option '" + key + "' needs a value");
            switch (k) {
                case "port": port = parseInt(vnl, "port", value, 1, 65535); break;
                case "vni": vni = value.matches("\\d+") ? parseInt(vnl, "vni", value, 0, 0xffffff) : gid(vnl, value); break;
                case "ttl": ttl = parseInt(vnl, "ttl", value, 0, 255); break;
                case "grp": grp = value.matches("\\d+") ? parseInt(vnl, "grp", value, 0, 0xffffff) : gid(vnl, value); break;
                case "v4": v6 = false; break;
                case "v6": v6 = true; break;
                case "if": ifname = value; break;
                case "bind": bind = address(vnl, "bind", value); break;
                case "rcvbuf": rcvbuf = (int) Math.min(Integer.MAX_VALUE, size(vnl, value)); break;
                case "hashsize": hash = parseInt(vnl, "hashsize", value, 1, 1 << 24); break;
                default: expire = parseInt(vnl, "expiretime", value, 1, Integer.MAX_VALUE);
            }
        }
        InetAddress group;
        if (addr.isEmpty()) {
            group = address(vnl, "group", Boolean.TRUE.equals(v6) ? "ff05:56de::1" : "239.0.0.1");
        } else {
            group = address(vnl, "group", stripBrackets(addr));
        }
        if (v6 != null && v6 != (group instanceof Inet6Address)) throw bad(vnl, "group '" + addr + "' is not IPv" + (v6 ? 6 : 4));
        if (!group.isMulticastAddress()) throw bad(vnl, "group '" + addr + "' is not a multicast address");
        if (grp >= 0) {
            // grp=G: the last 3 bytes of the group become G, and the VNI too unless vni= is given.
            byte[] b = group.getAddress();
            b[b.length - 3] = (byte) (grp >> 16);
            b[b.length - 2] = (byte) (grp >> 8);
            b[b.length - 1] = (byte) grp;
            try {
                group = InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
            if (vni < 0) vni = grp;
        }
        if (vni < 0) vni = Vnl.VXVDE_VNI;
        return new Vnl.Vxvde(group, port, vni, ttl, ifname, bind, rcvbuf, hash, expire);
    }

    // udp://[LOCALADDR:]LOCALPORT->REMOTEHOST:REMOTEPORT, split at the last ':' on each side.
    private static Vnl parseUdp(String vnl, String rest) {
        int arrow = rest.indexOf("->");
        if (arrow < 0) throw bad(vnl, "udp:// needs '[local:]port->host:port'");
        String local = rest.substring(0, arrow), remote = rest.substring(arrow + 2);
        InetAddress localAddr = null;
        String localPort = local;
        int lc = local.lastIndexOf(':');
        if (lc >= 0) {
            localAddr = address(vnl, "local address", stripBrackets(local.substring(0, lc)));
            localPort = local.substring(lc + 1);
        }
        int rc = remote.lastIndexOf(':');
        if (rc <= 0) throw bad(vnl, "remote '" + remote + "' needs host:port");
        String host = stripBrackets(remote.substring(0, rc));
        if (host.isEmpty()) throw bad(vnl, "empty remote host");
        return new Vnl.Udp(localAddr, parseInt(vnl, "local port", localPort, 0, 65535), host,
                parseInt(vnl, "remote port", remote.substring(rc + 1), 1, 65535));
    }

    private static String stripBrackets(String h) {
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    /** Splits on '/' outside quotes. */
    private static List<String> splitOpts(String vnl, String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                cur.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                cur.append(c);
            } else if (c == '\\' && i + 1 < s.length()) {
                cur.append(c).append(s.charAt(++i));
            } else if (c == '/') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quote != 0) throw bad(vnl, "unterminated quote " + quote);
        out.add(cur.toString());
        return out;
    }

    /** vdeplug4 quoting: '...', "...", backslash escapes and %XX. */
    private static String unquote(String vnl, String v) {
        StringBuilder sb = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (quote != 0 && c == quote) {
                quote = 0;
            } else if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == '\\' && i + 1 < v.length()) {
                sb.append(v.charAt(++i));
            } else if (c == '%' && i + 2 < v.length()) {
                try {
                    sb.append((char) Integer.parseInt(v.substring(i + 1, i + 3), 16));
                } catch (NumberFormatException e) {
                    throw bad(vnl, "bad escape '" + v.substring(i, i + 3) + "'");
                }
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return new String(sb.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** vdeplug4 accepts any unambiguous-in-order prefix of a key ("p=5" is port). */
    private static String matchKey(String vnl, String key, String... keys) {
        if (key.isEmpty()) throw bad(vnl, "empty option name");
        for (String k : keys) if (k.equals(key)) return k;
        for (String k : keys) if (k.startsWith(key)) return k;
        throw bad(vnl, "unknown option '" + key + "'");
    }

    private static int parseInt(String vnl, String what, String v, int min, int max) {
        try {
            long n = Long.parseLong(v);
            if (n < min || n > max) throw bad(vnl, what + " '" + v + "' out of range " + min + ".." + max);
            return (int) n;
        } catch (NumberFormatException e) {
            throw bad(vnl, what + " '" + v + "' is not a number");
        }
    }

    private static long size(String vnl, String v) {
        long mult = 1;
        String digits = v;
        if (!v.isEmpty()) {
            switch (Character.toLowerCase(v.charAt(v.length() - 1))) {
                case 'k': mult = 1L << 10; break;
                case 'm': mult = 1L << 20; break;
                case 'g': mult = 1L << 30; break;
                default: mult = 1;
            }
            if (mult != 1) digits = v.substring(0, v.length() - 1);
        }
        return parseInt(vnl, "rcvbuf", digits, 0, Integer.MAX_VALUE) * mult;
    }

    private static InetAddress address(String vnl, String what, String literal) {
        if (literal.isEmpty() || !literal.matches("[0-9A-Fa-f:.%a-zA-Z]+")
                || !(literal.indexOf(':') >= 0 || literal.matches("\\d+\\.\\d+\\.\\d+\\.\\d+"))) {
            throw bad(vnl, what + " '" + literal + "' is not an IP address");
        }
        try {
            return InetAddress.getByName(literal); // a literal: no DNS lookup happens
        } catch (UnknownHostException e) {
            throw bad(vnl, what + " '" + literal + "' is not an IP address");
        }
    }

    /** A group name's gid, as vdeplug4 does for vni= and grp=. */
    private static int gid(String vnl, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/group"))) {
                String[] f = line.split(":");
                if (f.length >= 3 && f[0].equals(name)) return Integer.parseInt(f[2]);
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        throw bad(vnl, "'" + name + "' is neither a number nor a group name");
    }
}

package io.ioth.tcpip.dhcp;

import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Value of a DHCPv4 message (RFC 2131) with the options this project uses (RFC 2132, RFC 3397, RFC 4702,
 * RFC 6842): a mutable, reusable holder (smoltcp {@code DhcpRepr}). {@link #parse} is bounds-checked: an option
 * whose length runs past its area, a fixed-size option with the wrong length, a non-contiguous subnet mask or a
 * bad cookie is refused with a {@link WireError}, never an exception. Unknown options are skipped. Absent values:
 * addresses 0, times -1, sizes 0, strings, byte arrays and lists null.
 *
 * <p>Parsing allocates (strings, the client id): DHCP is a control-plane protocol, never on a hot path.
 * Not thread-safe.
 */
public final class Dhcp4Repr {
    // RFC 2132 option codes (§ numbers in the comments)
    public static final int OPT_PAD = 0;             // §3.1
    public static final int OPT_SUBNET_MASK = 1;     // §3.3
    public static final int OPT_ROUTER = 3;          // §3.5
    public static final int OPT_DNS = 6;             // §3.8
    public static final int OPT_HOSTNAME = 12;       // §3.14
    public static final int OPT_DOMAIN_NAME = 15;    // §3.17
    public static final int OPT_MTU = 26;            // §5.1
    public static final int OPT_BROADCAST = 28;      // §5.3
    public static final int OPT_REQUESTED_IP = 50;   // §9.1
    public static final int OPT_LEASE_TIME = 51;     // §9.2
    public static final int OPT_OVERLOAD = 52;       // §9.3
    public static final int OPT_MESSAGE_TYPE = 53;   // §9.6
    public static final int OPT_SERVER_ID = 54;      // §9.7
    public static final int OPT_PARAM_LIST = 55;     // §9.8
    public static final int OPT_MESSAGE = 56;        // §9.9
    public static final int OPT_MAX_SIZE = 57;       // §9.10
    public static final int OPT_RENEWAL_T1 = 58;     // §9.11
    public static final int OPT_REBINDING_T2 = 59;   // §9.12
    public static final int OPT_CLIENT_ID = 61;      // §9.14
    public static final int OPT_CLIENT_FQDN = 81;    // RFC 4702
    public static final int OPT_DOMAIN_SEARCH = 119; // RFC 3397
    public static final int OPT_END = 255;           // §3.2

    // RFC 2132 §9.6 message types
    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    public static final int INFORM = 8;

    /** RFC 4702 §2.1 flags: S (server should update the A RR), O (server overrode S), E (canonical wire format),
     * N (no server updates). */
    public static final int FQDN_S = 1;
    public static final int FQDN_O = 2;
    public static final int FQDN_E = 4;
    public static final int FQDN_N = 8;

    /** RFC 2131 §3.3: a lease of 0xffffffff seconds is infinite. */
    public static final long INFINITE = 0xffff_ffffL;
    /** At most this many routers / DNS servers are kept (RFC 3396 concatenation included). */
    public static final int MAX_ADDRS = 8;

    public int op;
    public int htype = Dhcp4Packet.HTYPE_ETHERNET;
    public int hlen = 6;
    public int hops;
    public int xid;
    public int secs;
    public int flags;
    public int ciaddr;
    public int yiaddr;
    public int siaddr;
    public int giaddr;
    public long chaddr;

    /** Option 53, 0 if absent. */
    public int messageType;
    public int serverId;
    public int requestedIp;
    /** Seconds (unsigned 32 bits), -1 if absent. */
    public long leaseTime = -1;
    public long renewalTime = -1;
    public long rebindingTime = -1;
    /** Prefix length of option 1, -1 if absent. */
    public int prefixLength = -1;
    public final int[] routers = new int[MAX_ADDRS];
    public int routerCount;
    public final int[] dns = new int[MAX_ADDRS];
    public int dnsCount;
    public String domainName;
    public String hostName;
    public int mtu;
    public int broadcast;
    public int maxMessageSize;
    public byte[] clientId;
    public byte[] paramList;
    public String message;
    /** RFC 4702: flags, -1 if the option is absent; {@link #fqdn} the name (without the final dot). */
    public int fqdnFlags = -1;
    public int fqdnRcode1;
    public int fqdnRcode2;
    public String fqdn;
    /** Option 119 (RFC 3397), decoded from all its instances (RFC 3396), e.g. {@code [eng.apple.com, ...]}; null
     * if absent. Emitted compressed (RFC 1035 §4.1.4) and split into instances of at most 255 octets. */
    public List<String> searchDomains;

    /** Option 119's data, concatenated over its instances (RFC 3396 §5: pointers are offsets into the whole). */
    private byte[] searchRaw;
    private int searchRawLen;
    private boolean searchSeen;
    private boolean overloadFile;
    private boolean overloadSname;

    /** Resets every field to "absent" (keeps htype/hlen at Ethernet). */
    public Dhcp4Repr clear() {
        op = 0;
        htype = Dhcp4Packet.HTYPE_ETHERNET;
        hlen = 6;
        hops = 0;
        xid = 0;
        secs = 0;
        flags = 0;
        ciaddr = 0;
        yiaddr = 0;
        siaddr = 0;
        giaddr = 0;
        chaddr = 0;
        clearOptions();
        return this;
    }

    private void clearOptions() {
        messageType = 0;
        serverId = 0;
        requestedIp = 0;
        leaseTime = -1;
        renewalTime = -1;
        rebindingTime = -1;
        prefixLength = -1;
        routerCount = 0;
        dnsCount = 0;
        domainName = null;
        hostName = null;
        mtu = 0;
        broadcast = 0;
        maxMessageSize = 0;
        clientId = null;
        paramList = null;
        message = null;
        fqdnFlags = -1;
        fqdnRcode1 = 0;
        fqdnRcode2 = 0;
        fqdn = null;
        searchDomains = null;
        searchRawLen = 0;
        searchSeen = false;
        overloadFile = false;
        overloadSname = false;
    }

    // ================================================================ parse

    /**
     * Parses the message in the view. Checks: the fixed header is there ({@link WireError#TRUNCATED}), the magic
     * cookie ({@link WireError#BAD_FIELD}), Ethernet htype/hlen ({@link WireError#UNSUPPORTED}), every option
     * inside its area with a valid length ({@link WireError#MALFORMED_OPTION}). Option overload (RFC 2132 §9.3)
     * continues into 'file' then 'sname'.
     */
    public WireError parse(final Dhcp4Packet p) {
        clear();
        if (!p.checkLen().ok()) {
            return WireError.TRUNCATED;
        }
        if (p.magic() != Dhcp4Packet.MAGIC_COOKIE) {
            return WireError.BAD_FIELD;
        }
        op = p.op();
        htype = p.htype();
        hlen = p.hlen();
        if (htype != Dhcp4Packet.HTYPE_ETHERNET || hlen != 6) {
            return WireError.UNSUPPORTED;
        }
        hops = p.hops();
        xid = p.xid();
        secs = p.secs();
        flags = p.flags();
        ciaddr = p.ciaddr();
        yiaddr = p.yiaddr();
        siaddr = p.siaddr();
        giaddr = p.giaddr();
        chaddr = p.chaddrMac();
        final ByteBuf b = p.buffer();
        WireError e = parseOptions(b, p.optionsOffset(), p.optionsLength(), true);
        // RFC 2132 §9.3: "the options in the 'file' field are interpreted before those in the 'sname' field"
        if (e.ok() && overloadFile) {
            e = parseOptions(b, p.offset() + Dhcp4Packet.FILE, Dhcp4Packet.FILE_LEN, false);
        }
        if (e.ok() && overloadSname) {
            e = parseOptions(b, p.offset() + Dhcp4Packet.SNAME, Dhcp4Packet.SNAME_LEN, false);
        }
        if (e.ok() && searchSeen && searchRawLen > 0) { // an empty option 119 says nothing: absent
            searchDomains = decodeSearchList(searchRaw, searchRawLen);
            if (searchDomains == null) {
                e = WireError.MALFORMED_OPTION; // a bad pointer, a loop, a label or name too long
            }
        }
        return e;
    }

    private WireError parseOptions(final ByteBuf b, final int from, final int length, final boolean main) {
        final int end = from + length;
        int i = from;
        while (i < end) {
            final int code = b.getUnsignedByte(i);
            if (code == OPT_PAD) {
                i++;
                continue;
            }
            if (code == OPT_END) {
                return WireError.OK;
            }
            if (i + 1 >= end) {
                return WireError.MALFORMED_OPTION; // no room for the length byte
            }
            final int len = b.getUnsignedByte(i + 1);
            final int v = i + 2;
            if (v + len > end) {
                return WireError.MALFORMED_OPTION; // RFC 2132 §2: the option overruns its area
            }
            final WireError e = option(b, code, v, len, main);
            if (!e.ok()) {
                return e;
            }
            i = v + len;
        }
        return WireError.OK; // a missing END is tolerated (as Linux clients do) when the area is exhausted
    }

    private WireError option(final ByteBuf b, final int code, final int v, final int len, final boolean main) {
        switch (code) {
            case OPT_MESSAGE_TYPE:
                if (len != 1) {
                    return WireError.MALFORMED_OPTION;
                }
                messageType = b.getUnsignedByte(v);
                return WireError.OK;
            case OPT_SERVER_ID:
                return len != 4 ? WireError.MALFORMED_OPTION : set4(b, v, code);
            case OPT_REQUESTED_IP:
            case OPT_BROADCAST:
                return len != 4 ? WireError.MALFORMED_OPTION : set4(b, v, code);
            case OPT_LEASE_TIME:
            case OPT_RENEWAL_T1:
            case OPT_REBINDING_T2:
                return len != 4 ? WireError.MALFORMED_OPTION : set4(b, v, code);
            case OPT_SUBNET_MASK: {
                if (len != 4) {
                    return WireError.MALFORMED_OPTION;
                }
                final int m = b.getInt(v);
                final int pl = Integer.bitCount(m);
                if (Ipv4Addr.mask(pl) != m) {
                    return WireError.BAD_FIELD; // RFC 950 masks are contiguous; refuse rather than guess
                }
                prefixLength = pl;
                return WireError.OK;
            }
            case OPT_ROUTER:
            case OPT_DNS: {
                if (len < 4 || (len & 3) != 0) {
                    return WireError.MALFORMED_OPTION;
                }
                final int[] a = code == OPT_ROUTER ? routers : dns;
                int n = code == OPT_ROUTER ? routerCount : dnsCount;
                for (int k = 0; k < len && n < MAX_ADDRS; k += 4) {
                    a[n++] = b.getInt(v + k); // RFC 3396: repeated instances concatenate
                }
                if (code == OPT_ROUTER) {
                    routerCount = n;
                } else {
                    dnsCount = n;
                }
                return WireError.OK;
            }
            case OPT_DOMAIN_NAME:
                if (len < 1) {
                    return WireError.MALFORMED_OPTION;
                }
                domainName = nonEmpty(ascii(b, v, len));
                return WireError.OK;
            case OPT_HOSTNAME:
                if (len < 1) {
                    return WireError.MALFORMED_OPTION;
                }
                hostName = nonEmpty(ascii(b, v, len));
                return WireError.OK;
            case OPT_MESSAGE:
                message = ascii(b, v, len);
                return WireError.OK;
            case OPT_MTU:
                if (len != 2) {
                    return WireError.MALFORMED_OPTION;
                }
                mtu = b.getUnsignedShort(v);
                return WireError.OK;
            case OPT_MAX_SIZE:
                if (len != 2) {
                    return WireError.MALFORMED_OPTION;
                }
                maxMessageSize = b.getUnsignedShort(v);
                return WireError.OK;
            case OPT_CLIENT_ID:
                if (len < 2) {
                    return WireError.MALFORMED_OPTION; // RFC 2132 §9.14: "minimum length is 2"
                }
                clientId = new byte[len];
                b.getBytes(v, clientId);
                return WireError.OK;
            case OPT_PARAM_LIST:
                if (len < 1) {
                    return WireError.MALFORMED_OPTION;
                }
                paramList = new byte[len];
                b.getBytes(v, paramList);
                return WireError.OK;
            case OPT_OVERLOAD: {
                if (len != 1 || !main) {
                    return WireError.MALFORMED_OPTION; // §9.3: only in the options field
                }
                final int o = b.getUnsignedByte(v);
                if (o < 1 || o > 3) {
                    return WireError.MALFORMED_OPTION;
                }
                overloadFile = (o & 1) != 0;
                overloadSname = (o & 2) != 0;
                return WireError.OK;
            }
            case OPT_DOMAIN_SEARCH: {
                // RFC 3396 §5: instances of an option are concatenated, in the order options, file, sname
                if (searchRaw == null || searchRaw.length < searchRawLen + len) {
                    searchRaw = Arrays.copyOf(searchRaw == null ? new byte[0] : searchRaw,
                            Math.max(256, 2 * (searchRawLen + len)));
                }
                b.getBytes(v, searchRaw, searchRawLen, len);
                searchRawLen += len;
                searchSeen = true;
                return WireError.OK;
            }
            case OPT_CLIENT_FQDN: {
                if (len < 3) {
                    return WireError.MALFORMED_OPTION; // RFC 4702 §2: "Code Len Flags RCODE1 RCODE2 Domain Name"
                }
                fqdnFlags = b.getUnsignedByte(v);
                fqdnRcode1 = b.getUnsignedByte(v + 1);
                fqdnRcode2 = b.getUnsignedByte(v + 2);
                if ((fqdnFlags & FQDN_E) != 0) {
                    fqdn = decodeName(b, v + 3, len - 3);
                    if (fqdn == null) {
                        return WireError.MALFORMED_OPTION;
                    }
                } else {
                    fqdn = ascii(b, v + 3, len - 3); // RFC 4702 §2.3.1: the deprecated ASCII encoding
                }
                return WireError.OK;
            }
            default:
                return WireError.OK; // RFC 2131 §4.1 ... unknown options are ignored
        }
    }

    private WireError set4(final ByteBuf b, final int v, final int code) {
        final int x = b.getInt(v);
        switch (code) {
            case OPT_SERVER_ID: serverId = x; break;
            case OPT_REQUESTED_IP: requestedIp = x; break;
            case OPT_BROADCAST: broadcast = x; break;
            case OPT_LEASE_TIME: leaseTime = x & 0xffff_ffffL; break;
            case OPT_RENEWAL_T1: renewalTime = x & 0xffff_ffffL; break;
            default: rebindingTime = x & 0xffff_ffffL; break;
        }
        return WireError.OK;
    }

    /** NVT ASCII (RFC 2132 §2: "Options containing NVT ASCII data SHOULD NOT include a trailing NULL; however,
     * the receiver of such options MUST be prepared to delete trailing nulls if they exist"). */
    private static String ascii(final ByteBuf b, final int v, final int len) {
        int n = len;
        while (n > 0 && b.getByte(v + n - 1) == 0) {
            n--;
        }
        final byte[] s = new byte[n];
        b.getBytes(v, s);
        for (int i = 0; i < n; i++) {
            if (s[i] < 0x20 || s[i] == 0x7f) {
                s[i] = '?'; // never hand control characters to logs and resolvers
            }
        }
        return new String(s, StandardCharsets.US_ASCII);
    }

    /** Nothing but NULs is no name: absent (emitting "" would make an option of length 0, refused above). */
    private static String nonEmpty(final String s) {
        return s.isEmpty() ? null : s;
    }

    /** An uncompressed DNS name (RFC 1035 §3.1), possibly partial (no root label): dotted text, or null. */
    static String decodeName(final ByteBuf b, final int from, final int len) {
        final StringBuilder sb = new StringBuilder(len);
        int i = from;
        final int end = from + len;
        while (i < end) {
            final int l = b.getUnsignedByte(i++);
            if (l == 0) {
                return i == end ? sb.toString() : null;
            }
            if (l > 63 || i + l > end) {
                return null; // compression pointers are not allowed in option 81 (RFC 4702 §2.3.1)
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            for (int k = 0; k < l; k++) {
                final int c = b.getUnsignedByte(i + k);
                sb.append(c > 0x20 && c < 0x7f ? (char) c : '?');
            }
            i += l;
        }
        return sb.toString(); // RFC 4702 §2.3.1: a partial name (no terminating zero-length label)
    }

    /** The canonical wire form of a dotted name with its root label. */
    static byte[] encodeName(final String name) {
        final String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        final byte[] out = new byte[n.length() + 2];
        int o = 0;
        for (String label : n.split("\\.", -1)) {
            final byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            if (l.length == 0 || l.length > 63) {
                throw new IllegalArgumentException("bad DNS label in " + name);
            }
            out[o++] = (byte) l.length;
            System.arraycopy(l, 0, out, o, l.length);
            o += l.length;
        }
        out[o++] = 0;
        return Arrays.copyOf(out, o);
    }

    /** RFC 1035 §2.3.4: "labels 63 octets or less", "names 255 octets or less" (wire form, root label included). */
    static final int MAX_LABEL = 63;
    static final int MAX_NAME = 255;

    /**
     * The names of an RFC 3397 search list ({@code data[0, len)}: RFC 1035 names, compression allowed), or null if
     * malformed: a label type other than 00 or 11 (RFC 1035 §4.1.4; 01/10 are RFC 6891 extended / reserved), a label
     * or a pointer running past the end, a name over 255 octets, or a pointer that does not point strictly backwards
     * (RFC 1035 §4.1.4: "a pointer to a prior occurance of the same name"), which refuses every loop: each jump
     * lands lower than the last, so a name is followed at most {@code len / 2} times.
     */
    static List<String> decodeSearchList(final byte[] data, final int len) {
        final List<String> out = new ArrayList<>(2);
        final StringBuilder sb = new StringBuilder();
        int p = 0;
        while (p < len) {
            sb.setLength(0);
            int q = p;           // where the next label is read
            int next = -1;       // where the next name starts: after the first pointer, or after the root label
            int lowest = p;      // the position every pointer must stay below
            int wire = 1;        // octets of the name in wire form (the root label)
            for (;;) {
                if (q >= len) {
                    return null; // the name does not end inside the option
                }
                final int l = data[q] & 0xff;
                if ((l & 0xc0) == 0xc0) {
                    if (q + 1 >= len) {
                        return null;
                    }
                    final int target = (l & 0x3f) << 8 | (data[q + 1] & 0xff);
                    if (next < 0) {
                        next = q + 2;
                    }
                    if (target >= lowest) {
                        return null; // forward, to itself, or into a loop
                    }
                    lowest = target;
                    q = target;
                    continue;
                }
                if ((l & 0xc0) != 0) {
                    return null;
                }
                if (l == 0) {
                    if (next < 0) {
                        next = q + 1;
                    }
                    break;
                }
                if (q + 1 + l > len) {
                    return null;
                }
                wire += 1 + l;
                if (wire > MAX_NAME) {
                    return null;
                }
                if (sb.length() > 0) {
                    sb.append('.');
                }
                for (int k = 0; k < l; k++) {
                    final int c = data[q + 1 + k] & 0xff;
                    // a resolver's search list: no control characters, and no '.' inside a label to split it
                    sb.append(c > 0x20 && c < 0x7f && c != '.' ? (char) c : '?');
                }
                q += 1 + l;
            }
            if (sb.length() == 0) {
                return null; // the root alone is not a search domain
            }
            out.add(sb.toString());
            p = next;
        }
        return out;
    }

    /**
     * The wire form of a search list, compressed as RFC 3397 §2 shows (RFC 1035 §4.1.4: a name's longest suffix
     * already written becomes a pointer to it; offsets count from the start of the list).
     *
     * @throws IllegalArgumentException for an empty label, a label over 63 or a name over 255 octets
     */
    static byte[] encodeSearchList(final List<String> names) {
        final byte[] out = new byte[names.size() * (MAX_NAME + 1)];
        final Map<String, Integer> written = new HashMap<>();
        int o = 0;
        for (String name : names) {
            final String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
            final String[] labels = n.split("\\.", -1);
            int wire = 1;
            for (String l : labels) {
                final int ll = l.getBytes(StandardCharsets.US_ASCII).length;
                if (ll == 0 || ll > MAX_LABEL) {
                    throw new IllegalArgumentException("bad DNS label in " + name);
                }
                wire += 1 + ll;
            }
            if (wire > MAX_NAME) {
                throw new IllegalArgumentException("DNS name longer than 255 octets: " + name);
            }
            for (int i = 0; i < labels.length; i++) {
                final String suffix = String.join(".", Arrays.copyOfRange(labels, i, labels.length));
                final Integer at = written.get(suffix);
                if (at != null) {
                    out[o++] = (byte) (0xc0 | at >>> 8);
                    out[o++] = (byte) (int) at;
                    break;
                }
                if (o <= 0x3fff) {
                    written.put(suffix, o);
                }
                final byte[] l = labels[i].getBytes(StandardCharsets.US_ASCII);
                out[o++] = (byte) l.length;
                System.arraycopy(l, 0, out, o, l.length);
                o += l.length;
                if (i == labels.length - 1) {
                    out[o++] = 0;
                }
            }
        }
        return Arrays.copyOf(out, o);
    }

    // ================================================================ emit

    /** Bytes {@link #emit} writes: header, cookie, options, END, padded to {@link Dhcp4Packet#MIN_BOOTP_LEN}. */
    public int bufferLen() {
        return Math.max(Dhcp4Packet.MIN_BOOTP_LEN, Dhcp4Packet.OPTIONS + optionsLen() + 1);
    }

    private int optionsLen() {
        int n = 0;
        if (messageType != 0) {
            n += 3;
        }
        if (clientId != null) {
            n += 2 + clientId.length;
        }
        n += requestedIp != 0 ? 6 : 0;
        n += serverId != 0 ? 6 : 0;
        n += leaseTime >= 0 ? 6 : 0;
        n += renewalTime >= 0 ? 6 : 0;
        n += rebindingTime >= 0 ? 6 : 0;
        n += prefixLength >= 0 ? 6 : 0;
        n += routerCount > 0 ? 2 + 4 * routerCount : 0;
        n += broadcast != 0 ? 6 : 0;
        n += dnsCount > 0 ? 2 + 4 * dnsCount : 0;
        n += domainName != null ? 2 + Math.min(255, domainName.length()) : 0;
        n += mtu != 0 ? 4 : 0;
        n += hostName != null ? 2 + Math.min(255, hostName.length()) : 0;
        n += fqdnFlags >= 0 ? 5 + fqdnWire().length : 0;
        n += maxMessageSize != 0 ? 4 : 0;
        n += paramList != null ? 2 + paramList.length : 0;
        n += message != null ? 2 + Math.min(255, message.length()) : 0;
        final int s = searchWire().length;
        n += s + 2 * ((s + 254) / 255);
        return n;
    }

    private byte[] searchWireCache;
    private List<String> searchWireFor;

    private byte[] searchWire() {
        if (searchDomains == null || searchDomains.isEmpty()) {
            return new byte[0];
        }
        if (!searchDomains.equals(searchWireFor)) {
            searchWireCache = encodeSearchList(searchDomains);
            searchWireFor = List.copyOf(searchDomains);
        }
        return searchWireCache;
    }

    private byte[] fqdnWireCache;
    private String fqdnWireFor;

    private byte[] fqdnWire() {
        if (fqdn == null) {
            return new byte[0];
        }
        if (!fqdn.equals(fqdnWireFor)) {
            fqdnWireCache = (fqdnFlags & FQDN_E) != 0 ? encodeName(fqdn) : fqdn.getBytes(StandardCharsets.US_ASCII);
            fqdnWireFor = fqdn;
        }
        return fqdnWireCache;
    }

    /** Writes the message at {@code b[off, off + bufferLen())}. */
    public void emit(final ByteBuf b, final int off) {
        final int total = bufferLen();
        final Dhcp4Packet p = new Dhcp4Packet().wrap(b, off, total);
        p.setOp(op);
        p.setHtype(htype);
        p.setHlen(hlen);
        p.setHops(hops);
        p.setXid(xid);
        p.setSecs(secs);
        p.setFlags(flags);
        p.setCiaddr(ciaddr);
        p.setYiaddr(yiaddr);
        p.setSiaddr(siaddr);
        p.setGiaddr(giaddr);
        p.setChaddrMacAndClearNames(chaddr);
        p.setMagic(Dhcp4Packet.MAGIC_COOKIE);
        int i = off + Dhcp4Packet.OPTIONS;
        if (messageType != 0) {
            i = put1(b, i, OPT_MESSAGE_TYPE, messageType);
        }
        if (clientId != null) {
            i = putBytes(b, i, OPT_CLIENT_ID, clientId);
        }
        if (requestedIp != 0) {
            i = put4(b, i, OPT_REQUESTED_IP, requestedIp);
        }
        if (serverId != 0) {
            i = put4(b, i, OPT_SERVER_ID, serverId);
        }
        if (leaseTime >= 0) {
            i = put4(b, i, OPT_LEASE_TIME, (int) leaseTime);
        }
        if (renewalTime >= 0) {
            i = put4(b, i, OPT_RENEWAL_T1, (int) renewalTime);
        }
        if (rebindingTime >= 0) {
            i = put4(b, i, OPT_REBINDING_T2, (int) rebindingTime);
        }
        if (prefixLength >= 0) {
            i = put4(b, i, OPT_SUBNET_MASK, Ipv4Addr.mask(prefixLength));
        }
        if (routerCount > 0) {
            i = putAddrs(b, i, OPT_ROUTER, routers, routerCount);
        }
        if (broadcast != 0) {
            i = put4(b, i, OPT_BROADCAST, broadcast);
        }
        if (dnsCount > 0) {
            i = putAddrs(b, i, OPT_DNS, dns, dnsCount);
        }
        if (domainName != null) {
            i = putText(b, i, OPT_DOMAIN_NAME, domainName);
        }
        if (mtu != 0) {
            b.setByte(i, OPT_MTU);
            b.setByte(i + 1, 2);
            b.setShort(i + 2, mtu);
            i += 4;
        }
        if (hostName != null) {
            i = putText(b, i, OPT_HOSTNAME, hostName);
        }
        if (fqdnFlags >= 0) {
            final byte[] w = fqdnWire();
            b.setByte(i, OPT_CLIENT_FQDN);
            b.setByte(i + 1, 3 + w.length);
            b.setByte(i + 2, fqdnFlags);
            b.setByte(i + 3, fqdnRcode1);
            b.setByte(i + 4, fqdnRcode2);
            b.setBytes(i + 5, w);
            i += 5 + w.length;
        }
        if (maxMessageSize != 0) {
            b.setByte(i, OPT_MAX_SIZE);
            b.setByte(i + 1, 2);
            b.setShort(i + 2, maxMessageSize);
            i += 4;
        }
        if (paramList != null) {
            i = putBytes(b, i, OPT_PARAM_LIST, paramList);
        }
        if (message != null) {
            i = putText(b, i, OPT_MESSAGE, message);
        }
        final byte[] sw = searchWire();
        for (int k = 0; k < sw.length; k += 255) {
            // RFC 3396 §7: "split ... into a number of smaller parts", each at most 255 octets
            final int n = Math.min(255, sw.length - k);
            b.setByte(i, OPT_DOMAIN_SEARCH);
            b.setByte(i + 1, n);
            b.setBytes(i + 2, sw, k, n);
            i += 2 + n;
        }
        b.setByte(i++, OPT_END);
        b.setZero(i, off + total - i); // RFC 1542 §3.1.1: pad to 300 bytes
    }

    private static int put1(final ByteBuf b, final int i, final int code, final int v) {
        b.setByte(i, code);
        b.setByte(i + 1, 1);
        b.setByte(i + 2, v);
        return i + 3;
    }

    private static int put4(final ByteBuf b, final int i, final int code, final int v) {
        b.setByte(i, code);
        b.setByte(i + 1, 4);
        b.setInt(i + 2, v);
        return i + 6;
    }

    private static int putAddrs(final ByteBuf b, final int i, final int code, final int[] a, final int n) {
        b.setByte(i, code);
        b.setByte(i + 1, 4 * n);
        for (int k = 0; k < n; k++) {
            b.setInt(i + 2 + 4 * k, a[k]);
        }
        return i + 2 + 4 * n;
    }

    private static int putBytes(final ByteBuf b, final int i, final int code, final byte[] v) {
        b.setByte(i, code);
        b.setByte(i + 1, v.length);
        b.setBytes(i + 2, v);
        return i + 2 + v.length;
    }

    private static int putText(final ByteBuf b, final int i, final int code, final String s) {
        final int n = Math.min(255, s.length());
        b.setByte(i, code);
        b.setByte(i + 1, n);
        for (int k = 0; k < n; k++) {
            b.setByte(i + 2 + k, s.charAt(k) & 0x7f);
        }
        return i + 2 + n;
    }

    /** The message type's name (RFC 2132 §9.6), for logs and traces. */
    public static String typeName(final int t) {
        switch (t) {
            case DISCOVER: return "DHCPDISCOVER";
            case OFFER: return "DHCPOFFER";
            case REQUEST: return "DHCPREQUEST";
            case DECLINE: return "DHCPDECLINE";
            case ACK: return "DHCPACK";
            case NAK: return "DHCPNAK";
            case RELEASE: return "DHCPRELEASE";
            case INFORM: return "DHCPINFORM";
            default: return "type " + t;
        }
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder(typeName(messageType)).append(" xid 0x")
                .append(Integer.toHexString(xid)).append(" chaddr ").append(MacAddr.format(chaddr));
        if (ciaddr != 0) {
            sb.append(" ciaddr ").append(Ipv4Addr.format(ciaddr));
        }
        if (yiaddr != 0) {
            sb.append(" yiaddr ").append(Ipv4Addr.format(yiaddr));
        }
        if (serverId != 0) {
            sb.append(" server ").append(Ipv4Addr.format(serverId));
        }
        if (requestedIp != 0) {
            sb.append(" requested ").append(Ipv4Addr.format(requestedIp));
        }
        if (leaseTime >= 0) {
            sb.append(" lease ").append(leaseTime);
        }
        return sb.toString();
    }
}

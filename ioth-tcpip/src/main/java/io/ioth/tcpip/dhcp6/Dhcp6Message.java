package io.ioth.tcpip.dhcp6;

import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.wire.DomainNames;
import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * A DHCPv6 message as the client reads it (RFC 8415 §8, §21): the constants, and a reusable value filled by
 * {@link #parse} from a client/server message, with every length checked before it is used.
 *
 * <pre>
 *  0                   1                   2                   3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    msg-type   |               transaction-id                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  option-code (2)              |  option-len (2)               |  options, each: code, len, len bytes
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * IA_NA (3):  IAID (4) | T1 (4) | T2 (4) | IA_NA-options           (§21.4)
 * IAADDR (5): address (16) | preferred (4) | valid (4) | options   (§21.6)
 * Status Code (13): code (2) | UTF-8 message                        (§21.13)
 * </pre>
 *
 * <p>What the client keeps: the top-level Client/Server Identifiers (offsets into the buffer, valid during the
 * call), the top-level status, Preference, the first IA_NA with our IAID (T1, T2, its status, up to
 * {@link #MAX_ADDRESSES} IAADDRs with their statuses), DNS servers (RFC 3646 option 23), the domain search list
 * (option 24), Information Refresh Time (§21.23), SOL_MAX_RT / INF_MAX_RT (§21.24, §21.25).
 *
 * <p>Mutable, reusable; not thread-safe.
 */
public final class Dhcp6Message {
    // message types (§7.3)
    public static final int SOLICIT = 1;
    public static final int ADVERTISE = 2;
    public static final int REQUEST = 3;
    public static final int CONFIRM = 4;
    public static final int RENEW = 5;
    public static final int REBIND = 6;
    public static final int REPLY = 7;
    public static final int RELEASE = 8;
    public static final int DECLINE = 9;
    public static final int RECONFIGURE = 10;
    public static final int INFORMATION_REQUEST = 11;

    // options (§21, RFC 3646)
    public static final int OPT_CLIENTID = 1;
    public static final int OPT_SERVERID = 2;
    public static final int OPT_IA_NA = 3;
    public static final int OPT_IAADDR = 5;
    public static final int OPT_ORO = 6;
    public static final int OPT_PREFERENCE = 7;
    public static final int OPT_ELAPSED_TIME = 8;
    public static final int OPT_STATUS_CODE = 13;
    public static final int OPT_RAPID_COMMIT = 14;
    public static final int OPT_DNS_SERVERS = 23;
    public static final int OPT_DOMAIN_LIST = 24;
    public static final int OPT_INFORMATION_REFRESH_TIME = 32;
    public static final int OPT_SOL_MAX_RT = 82;
    public static final int OPT_INF_MAX_RT = 83;

    // status codes (§21.13)
    public static final int STATUS_SUCCESS = 0;
    public static final int STATUS_UNSPEC_FAIL = 1;
    public static final int STATUS_NO_ADDRS_AVAIL = 2;
    public static final int STATUS_NO_BINDING = 3;
    public static final int STATUS_NOT_ON_LINK = 4;
    public static final int STATUS_USE_MULTICAST = 5;
    /** No Status Code option. */
    public static final int NO_STATUS = -1;

    // ports (§7.2), ff02::1:2 All_DHCP_Relay_Agents_and_Servers (§7.1)
    public static final int CLIENT_PORT = 546;
    public static final int SERVER_PORT = 547;
    public static final long ALL_SERVERS_HI = 0xff02_0000_0000_0000L;
    public static final long ALL_SERVERS_LO = 0x0000_0000_0001_0002L;

    /** Infinity for lifetimes and T1/T2 (§7.7). */
    public static final long INFINITY = 0xffff_ffffL;
    public static final int MAX_ADDRESSES = 4;
    public static final int MAX_DNS = 8;
    /** §11.1: "A DUID can be no more than 128 octets long (not including the type code)". */
    public static final int MAX_DUID = 130;

    public int type;
    public int xid;
    public int clientIdOffset = -1;
    public int clientIdLength;
    public int serverIdOffset = -1;
    public int serverIdLength;
    public int status = NO_STATUS;
    public int preference;
    public boolean rapidCommit;
    /** An IA_NA with the IAID asked for was present. */
    public boolean hasIaNa;
    public long t1;
    public long t2;
    public int iaStatus = NO_STATUS;
    public int addressCount;
    public final long[] addrHi = new long[MAX_ADDRESSES];
    public final long[] addrLo = new long[MAX_ADDRESSES];
    public final long[] addrPreferred = new long[MAX_ADDRESSES];
    public final long[] addrValid = new long[MAX_ADDRESSES];
    public final int[] addrStatus = new int[MAX_ADDRESSES];
    public int dnsCount;
    public final long[] dnsHi = new long[MAX_DNS];
    public final long[] dnsLo = new long[MAX_DNS];
    /** The domain search list, or null if absent. */
    public List<String> domains;
    public long infoRefreshTime = -1;
    public long solMaxRt = -1;
    public long infMaxRt = -1;

    private ByteBuf buf;

    public Dhcp6Message clear() {
        type = xid = 0;
        clientIdOffset = serverIdOffset = -1;
        clientIdLength = serverIdLength = 0;
        status = iaStatus = NO_STATUS;
        preference = 0;
        rapidCommit = hasIaNa = false;
        t1 = t2 = 0;
        addressCount = dnsCount = 0;
        domains = null;
        infoRefreshTime = solMaxRt = infMaxRt = -1;
        buf = null;
        return this;
    }

    /**
     * Parses {@code buf[off, off+len)} (a UDP payload).
     *
     * @param iaid the IAID whose IA_NA is read (others are ignored)
     * @return null if well formed, else the drop reason ({@link DropReason#DHCP6_TRUNCATED},
     *         {@link DropReason#DHCP6_MALFORMED})
     */
    public DropReason parse(final ByteBuf buf, final int off, final int len, final int iaid) {
        clear();
        if (len < 4) {
            return DropReason.DHCP6_TRUNCATED;
        }
        this.buf = buf;
        type = buf.getUnsignedByte(off);
        xid = buf.getUnsignedMedium(off + 1);
        final int end = off + len;
        int p = off + 4;
        while (p < end) {
            if (end - p < 4) {
                return DropReason.DHCP6_MALFORMED; // a partial option header
            }
            final int code = buf.getUnsignedShort(p);
            final int olen = buf.getUnsignedShort(p + 2);
            final int d = p + 4;
            if (olen > end - d) {
                return DropReason.DHCP6_MALFORMED; // the option runs past the message
            }
            if (!topLevel(code, d, olen, iaid)) {
                return DropReason.DHCP6_MALFORMED;
            }
            p = d + olen;
        }
        return null;
    }

    /** One top-level option; false if malformed. */
    private boolean topLevel(final int code, final int d, final int olen, final int iaid) {
        switch (code) {
            case OPT_CLIENTID:
                if (olen < 2 || olen > MAX_DUID || clientIdOffset >= 0) {
                    return false; // §16: a DUID has its 2-byte type; one Client Identifier only
                }
                clientIdOffset = d;
                clientIdLength = olen;
                return true;
            case OPT_SERVERID:
                if (olen < 2 || olen > MAX_DUID || serverIdOffset >= 0) {
                    return false;
                }
                serverIdOffset = d;
                serverIdLength = olen;
                return true;
            case OPT_STATUS_CODE:
                if (olen < 2) {
                    return false;
                }
                status = buf.getUnsignedShort(d);
                return true;
            case OPT_PREFERENCE:
                if (olen != 1) {
                    return false;
                }
                preference = buf.getUnsignedByte(d);
                return true;
            case OPT_RAPID_COMMIT:
                rapidCommit = true;
                return olen == 0;
            case OPT_IA_NA:
                return iaNa(d, olen, iaid);
            case OPT_DNS_SERVERS:
                if (olen % 16 != 0) {
                    return false;
                }
                for (int q = d; q < d + olen && dnsCount < MAX_DNS; q += 16) {
                    dnsHi[dnsCount] = buf.getLong(q);
                    dnsLo[dnsCount] = buf.getLong(q + 8);
                    dnsCount++;
                }
                return true;
            case OPT_DOMAIN_LIST:
                domains = DomainNames.parse(buf, d, olen, false);
                return domains != null;
            case OPT_INFORMATION_REFRESH_TIME:
                if (olen != 4) {
                    return false;
                }
                infoRefreshTime = buf.getUnsignedInt(d);
                return true;
            case OPT_SOL_MAX_RT:
            case OPT_INF_MAX_RT:
                if (olen != 4) {
                    return false;
                }
                if (code == OPT_SOL_MAX_RT) {
                    solMaxRt = buf.getUnsignedInt(d);
                } else {
                    infMaxRt = buf.getUnsignedInt(d);
                }
                return true;
            default:
                return true; // §16: options the client does not know are ignored
        }
    }

    /** §21.4 IA_NA: IAID, T1, T2, then its own options. */
    private boolean iaNa(final int d, final int olen, final int iaid) {
        if (olen < 12) {
            return false;
        }
        if (buf.getInt(d) != iaid || hasIaNa) {
            return true; // another IA (not ours), or a second copy: ignored
        }
        hasIaNa = true;
        t1 = buf.getUnsignedInt(d + 4);
        t2 = buf.getUnsignedInt(d + 8);
        final int end = d + olen;
        int p = d + 12;
        while (p < end) {
            if (end - p < 4) {
                return false;
            }
            final int code = buf.getUnsignedShort(p);
            final int sl = buf.getUnsignedShort(p + 2);
            final int sd = p + 4;
            if (sl > end - sd) {
                return false;
            }
            if (code == OPT_STATUS_CODE) {
                if (sl < 2) {
                    return false;
                }
                iaStatus = buf.getUnsignedShort(sd);
            } else if (code == OPT_IAADDR) {
                if (sl < 24) {
                    return false;
                }
                if (!iaAddr(sd, sl)) {
                    return false;
                }
            }
            p = sd + sl;
        }
        return true;
    }

    /** §21.6 IAADDR: address, preferred and valid lifetimes, then options (a Status Code). */
    private boolean iaAddr(final int d, final int olen) {
        int st = NO_STATUS;
        final int end = d + olen;
        int p = d + 24;
        while (p < end) {
            if (end - p < 4) {
                return false;
            }
            final int code = buf.getUnsignedShort(p);
            final int sl = buf.getUnsignedShort(p + 2);
            if (sl > end - p - 4) {
                return false;
            }
            if (code == OPT_STATUS_CODE) {
                if (sl < 2) {
                    return false;
                }
                st = buf.getUnsignedShort(p + 4);
            }
            p += 4 + sl;
        }
        if (addressCount == MAX_ADDRESSES) {
            return true;
        }
        final int i = addressCount++;
        addrHi[i] = buf.getLong(d);
        addrLo[i] = buf.getLong(d + 8);
        addrPreferred[i] = buf.getUnsignedInt(d + 16);
        addrValid[i] = buf.getUnsignedInt(d + 20);
        addrStatus[i] = st;
        return true;
    }

    /** Whether the Client Identifier is present and equals {@code duid}. */
    public boolean clientIdIs(final byte[] duid) {
        return clientIdOffset >= 0 && equalsAt(clientIdOffset, clientIdLength, duid);
    }

    /** Whether the Server Identifier is present and equals {@code duid}. */
    public boolean serverIdIs(final byte[] duid) {
        return serverIdOffset >= 0 && duid != null && equalsAt(serverIdOffset, serverIdLength, duid);
    }

    /** A copy of the Server Identifier (a DUID), or null. */
    public byte[] serverId() {
        if (serverIdOffset < 0) {
            return null;
        }
        final byte[] b = new byte[serverIdLength];
        buf.getBytes(serverIdOffset, b);
        return b;
    }

    private boolean equalsAt(final int at, final int len, final byte[] v) {
        if (len != v.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (buf.getByte(at + i) != v[i]) {
                return false;
            }
        }
        return true;
    }

    /** The domain list as parsed, or an empty list. */
    public List<String> domainsOrEmpty() {
        return domains == null ? new ArrayList<>(0) : domains;
    }

    /** A message type's name, for diagnostics. */
    public static String typeName(final int type) {
        switch (type) {
            case SOLICIT: return "SOLICIT";
            case ADVERTISE: return "ADVERTISE";
            case REQUEST: return "REQUEST";
            case CONFIRM: return "CONFIRM";
            case RENEW: return "RENEW";
            case REBIND: return "REBIND";
            case REPLY: return "REPLY";
            case RELEASE: return "RELEASE";
            case DECLINE: return "DECLINE";
            case RECONFIGURE: return "RECONFIGURE";
            case INFORMATION_REQUEST: return "INFORMATION-REQUEST";
            default: return "type " + type;
        }
    }
}

package io.ioth.transport;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.conf.IothConf;
import io.ioth.tcpip.conf.IothConf.Flag;
import io.ioth.tcpip.conf.IothConf.IpAddress;
import io.ioth.tcpip.conf.IothConf.IpPrefix;
import io.ioth.tcpip.dhcp.Dhcp4Client;
import io.ioth.tcpip.dhcp.Dhcp4Lease;
import io.ioth.tcpip.dhcp.Dhcp4Server;
import io.ioth.tcpip.dhcp.Dhcp4ServerConfig;
import io.ioth.tcpip.iface.Ipv6Autoconf;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.RouteTable;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Configures the stack of one {@link IothIoHandler} from its {@link IothIdentity} and keeps track of it: the static
 * addresses and routes, the DHCPv4 client ({@code dhcp}), IPv6 autoconfiguration ({@code rd}, {@code slaac},
 * {@code dhcp6}), DHCPv4 servers started on the identity; the {@link IothConfiguration} snapshots, the "configured"
 * promise and the change listeners; and, on shutdown, the DHCP releases, pushed onto the wire before the plug
 * closes.
 *
 * <p>Threading: {@link #start}, {@link #stop}, {@link #startDhcpServer} and the engine's callbacks run on the loop;
 * {@link #configuration()}, {@link #configured()} and the listener list may be used from any thread.
 */
final class IothConfigurator {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(IothConfigurator.class);
    /** Every live configurator by its event loop: how resolvers and the group find the stack of a loop. */
    private static final Map<Object, IothConfigurator> BY_LOOP = new ConcurrentHashMap<>();

    private final IothIdentity identity;
    private final Object loop;
    private final Promise<IothConfiguration> configured;
    private final List<IothConfiguration.Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile IothConfiguration current;
    private Stack stack;
    private NetInterface ifc;
    private Dhcp4Client dhcp4;
    private Ipv6Autoconf autoconf;
    private final List<Dhcp4Server> servers = new ArrayList<>();
    /** Static gateways not on-link yet (their prefix comes with a lease or an RA). */
    private final List<IpAddress> pendingGateways = new ArrayList<>();
    private boolean stopped;

    IothConfigurator(final IothIdentity identity, final Object loop) {
        this.identity = identity;
        this.loop = loop;
        // the promise notifies on the loop (listeners may use the stack); a foreign ThreadAwareExecutor: globally
        this.configured = new DefaultPromise<>(loop instanceof EventExecutor e ? e : GlobalEventExecutor.INSTANCE);
        BY_LOOP.put(loop, this);
    }

    /** The configurator of an IoTh event loop, or null. */
    static IothConfigurator of(final Object loop) {
        return loop == null ? null : BY_LOOP.get(loop);
    }

    IothIdentity identity() {
        return identity;
    }

    Object loop() {
        return loop;
    }

    Future<IothConfiguration> configured() {
        return configured;
    }

    /** The latest snapshot, or null before the stack exists. Any thread. */
    IothConfiguration configuration() {
        return current;
    }

    void addListener(final IothConfiguration.Listener l) {
        listeners.add(java.util.Objects.requireNonNull(l, "listener"));
    }

    void removeListener(final IothConfiguration.Listener l) {
        listeners.remove(l);
    }

    // ================================================================ loop thread

    /** Applies the identity to the new stack's interface and starts its dynamic methods. */
    void start(final Stack s, final NetInterface i, final long now) {
        this.stack = s;
        this.ifc = i;
        final IothConf c = identity.conf();
        for (IpPrefix p : c.addresses()) {
            if (!p.v6()) {
                s.addIpv4(i, p.address().v4(), p.prefixLength(), now);
            }
        }
        // iothconf_rd: the SLAAC interface id is the hash of the fqdn, else the modified EUI-64 of the MAC
        final long iid = c.slaacInterfaceId(i.mac());
        if (identity.hasIpv6()) {
            // configured waits for DAD of static addresses too (RFC 4862 §5.4: tentative ones cannot be bound)
            s.engine().setIpv6AddressListener((x, hi, lo, duplicate, t) -> update());
            s.enableIpv6(i, iid, now); // fe80::iid (RFC 4862 §5.3), as Linux on every interface
            for (IpPrefix p : c.addresses()) {
                if (p.v6()) {
                    s.addIpv6(i, p.address().hi(), p.address().lo(), p.prefixLength(), now);
                }
            }
        }
        pendingGateways.addAll(c.gateways());
        installGateways();
        if (identity.dhcp4()) {
            dhcp4 = s.startDhcp4Client(i, identity.dhcp4Config(), new Dhcp4Events(), now);
        }
        if (identity.ipv6Autoconf()) {
            final Ipv6Autoconf.Options o = Ipv6Autoconf.Options.defaults()
                    .withRouterDiscovery(c.has(Flag.RD)).withSlaac(c.has(Flag.SLAAC))
                    // iothconf: dhcp6 asks for an address (IA_NA) whatever the RAs say; rd alone runs no DHCPv6
                    .withDhcp6(c.has(Flag.DHCP6) ? Ipv6Autoconf.Dhcp6Mode.STATEFUL : Ipv6Autoconf.Dhcp6Mode.OFF)
                    .withInterfaceId(iid);
            autoconf = s.startIpv6Autoconf(i, o, identity.dhcp6Options(), new V6Events(), now);
        }
        // the handler calls update() once the stack is published: a listener of the configured future may use it
    }

    /** The stack could not be built: the configured future fails with the cause. */
    void failed(final Throwable cause) {
        configured.tryFailure(new IllegalStateException("the stack of identity '" + identity + "' could not be built",
                cause));
    }

    /** Starts a DHCPv4 server on the identity's interface; it stops with the loop. */
    Dhcp4Server startDhcpServer(final Dhcp4ServerConfig config) {
        if (stack == null || stopped) {
            throw new IllegalStateException("the stack of identity '" + identity + "' is not running");
        }
        final Dhcp4Server srv = stack.startDhcp4Server(ifc, config);
        servers.add(srv);
        return srv;
    }

    /**
     * Shutdown: releases the DHCPv4 lease (RFC 2131 §4.4.6) and the DHCPv6 bindings (RFC 8415 §18.2.7), stops the
     * servers, and flushes the stack's egress so that the releases reach the wire before the plug closes. Fails a
     * configured future still pending. Idempotent.
     */
    void stop(final long now) {
        if (stopped) {
            return;
        }
        stopped = true;
        if (dhcp4 != null) {
            try {
                dhcp4.close(now);
            } catch (RuntimeException e) {
                logger.warn("{}: closing the DHCPv4 client failed", identity, e);
            }
        }
        if (autoconf != null) {
            try {
                autoconf.close(now);
            } catch (RuntimeException e) {
                logger.warn("{}: closing IPv6 autoconfiguration failed", identity, e);
            }
        }
        for (Dhcp4Server srv : servers) {
            srv.close();
        }
        servers.clear();
        if (stack != null) {
            stack.pollEgress(now); // the releases leave now: destroy() closes the plug right after
        }
        configured.tryFailure(new IllegalStateException("the event loop of identity '" + identity
                + "' shut down before the identity was configured"));
    }

    /** The handler is gone. */
    void destroyed() {
        stopped = true;
        BY_LOOP.remove(loop, this);
        configured.tryFailure(new IllegalStateException("the event loop of identity '" + identity
                + "' shut down before the identity was configured"));
    }

    private void installGateways() {
        for (int k = 0; k < pendingGateways.size(); ) {
            final IpAddress g = pendingGateways.get(k);
            try {
                if (!g.v6()) {
                    stack.routes().addDefaultGateway4(g.v4());
                } else if (Ipv6Addr.isLinkLocal(g.hi())) {
                    stack.routes().addDefaultGateway6(g.hi(), g.lo(), ifc);
                } else {
                    stack.routes().addDefaultGateway6(g.hi(), g.lo());
                }
                pendingGateways.remove(k);
            } catch (IllegalArgumentException notOnLinkYet) {
                k++; // IothIdentity allowed it because a lease or an RA may bring its prefix
            }
        }
    }

    /** Takes a snapshot; tells the listeners if it changed; completes the configured promise once complete. */
    void update() {
        if (stack == null || stopped) {
            return;
        }
        if (!pendingGateways.isEmpty()) {
            installGateways();
        }
        final IothConfiguration next = snapshot();
        final IothConfiguration prev = current;
        if (next.equals(prev)) {
            return;
        }
        current = next;
        if (identity.conf().has(Flag.DEBUG)) {
            logger.info("{}: {}", identity.describe(), next);
        } else {
            logger.debug("{}: {}", identity.describe(), next);
        }
        if (prev != null) {
            for (IothConfiguration.Listener l : listeners) {
                try {
                    l.configurationChanged(prev, next);
                } catch (Throwable t) {
                    logger.warn("{}: configuration listener {} failed", identity.describe(), l, t);
                }
            }
        }
        if (next.complete()) {
            configured.trySuccess(next);
        }
    }

    private IothConfiguration snapshot() {
        final List<IothConfiguration.Address> v4 = new ArrayList<>();
        for (int a : ifc.ipv4Addresses()) {
            v4.add(new IothConfiguration.Address(inet(Ipv4Addr.format(a)), ifc.ipv4PrefixLength(a)));
        }
        final List<IothConfiguration.Address> v6 = new ArrayList<>();
        InetAddress linkLocal = null;
        boolean tentative = false;
        for (String s : ifc.ipv6Addresses()) { // "fd00::2/64[ tentative| dadfailed][ deprecated]"
            if (s.contains("dadfailed")) {
                continue;
            }
            tentative |= s.contains("tentative");
            final int slash = s.indexOf('/');
            final int sp = s.indexOf(' ');
            final InetAddress a = inet(s.substring(0, slash));
            final int len = Integer.parseInt(s.substring(slash + 1, sp < 0 ? s.length() : sp));
            if (a.isLinkLocalAddress()) {
                linkLocal = a;
            } else {
                v6.add(new IothConfiguration.Address(a, len));
            }
        }
        final List<InetAddress> gws = new ArrayList<>();
        for (RouteTable.Entry e : stack.routes().entries()) {
            if (e.prefixLength() == 0 && e.gateway() != null) {
                addNew(gws, inet(e.gateway()));
            }
        }
        final IothConf c = identity.conf();
        final Dhcp4Lease lease = dhcp4 == null ? null : dhcp4.lease();
        final List<InetAddress> dns = new ArrayList<>();
        final List<String> domains = new ArrayList<>();
        for (IpAddress a : c.dns()) {
            addNew(dns, inet(a.toString()));
        }
        for (String d : c.domains()) {
            addNew(domains, d);
        }
        if (lease != null) {
            for (int a : lease.dnsServers()) {
                addNew(dns, inet(Ipv4Addr.format(a)));
            }
            for (String d : lease.searchDomains()) { // option 119 (RFC 3397)
                addNew(domains, d);
            }
            if (lease.domain() != null) { // option 15, as resolv.conf's "search" when no list is given
                addNew(domains, lease.domain());
            }
        }
        boolean complete = (dhcp4 == null || dhcp4.isBound()) && !tentative;
        if (autoconf != null) {
            for (InetAddress a : autoconf.dnsServers()) {
                addNew(dns, a);
            }
            for (String d : autoconf.searchDomains()) {
                addNew(domains, d);
            }
            complete &= autoconf.isConfigured();
        }
        return new IothConfiguration(ifc.name(), ifc.mac(), c.fqdn(), v4, v6, linkLocal, gws, dns, domains, lease,
                complete);
    }

    private static <T> void addNew(final List<T> l, final T x) {
        if (!l.contains(x)) {
            l.add(x);
        }
    }

    /** An address literal as an InetAddress, without any name lookup. */
    private static InetAddress inet(final String literal) {
        final InetAddress a = NetUtil.createInetAddressFromIpAddressString(literal);
        if (a == null) {
            throw new IllegalArgumentException("not an address literal: " + literal);
        }
        return a;
    }

    /** DHCPv4 events, on the loop from the stack's timer phase. */
    private final class Dhcp4Events implements Dhcp4Client.Listener {
        @Override
        public void onBound(final Dhcp4Client client, final Dhcp4Lease lease) {
            update();
        }

        @Override
        public void onRenewed(final Dhcp4Client client, final Dhcp4Lease lease) {
            update();
        }

        @Override
        public void onLost(final Dhcp4Client client, final Dhcp4Lease lease, final Dhcp4Client.LossReason reason) {
            logger.info("{}: DHCPv4 lease {} lost ({})", identity.describe(), lease, reason);
            update();
        }
    }

    /** IPv6 autoconfiguration events, on the loop from inside the stack's poll. */
    private final class V6Events implements Ipv6Autoconf.Listener {
        @Override
        public void configured(final Ipv6Autoconf a, final long nowNanos) {
            update();
        }

        @Override
        public void changed(final Ipv6Autoconf a, final long nowNanos) {
            update();
        }
    }

    @Override
    public String toString() {
        return "IothConfigurator(" + identity.describe() + ")";
    }
}

package io.ioth.examples.scenarios;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.stats.Counter;
import io.ioth.transport.internal.VdeFrameLink;
import io.ioth.vde.VdePoller;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * An IP router made of one engine {@link Stack} with one interface per wire and forwarding on: a stack is not bound
 * to one network, it is the same object whether it has one interface (an identity) or several (a gateway). It runs
 * on a thread of its own, driven like any stack: {@code poll(now)}, then wait in a {@link VdePoller} until a wire has
 * frames or {@code nextDeadline()} comes.
 *
 * <pre>{@code
 * try (Router r = Router.start("r1", new Router.Port("switch://net-a", "10.1.0.1/24"),
 *                                    new Router.Port("switch://net-b", "10.2.0.1/24"))) {
 *     // hosts on net-a with gw=10.1.0.1 reach hosts on net-b with gw=10.2.0.1
 * }
 * }</pre>
 *
 * <p>Thread-safe: everything but {@link #forwarded()} happens on the router's own thread.
 */
public final class Router extends PlugLoop {
    /** One interface: the wire it is plugged into and its address with the on-link prefix ({@code 10.1.0.1/24}). */
    public record Port(String vnl, String cidr) {
    }

    private final String name;
    private final List<Port> ports;
    private volatile Stack stack;

    private Router(final String name, final List<Port> ports) {
        super("router-" + name, "ioth router " + name);
        this.name = name;
        this.ports = ports;
    }

    /** Starts a router with these interfaces ({@code eth0}, {@code eth1}, ... in order). */
    public static Router start(final String name, final Port... ports) throws Exception {
        final Router r = new Router(name, List.of(ports));
        r.start();
        return r;
    }

    @Override
    protected void open(final VdePoller poller, final long now) throws Exception {
        final Stack s = Stack.create(StackConfig.builder().name(name).build(), now);
        try {
            for (int i = 0; i < ports.size(); i++) {
                final Port p = ports.get(i);
                final VdeFrameLink link = VdeFrameLink.open(p.vnl(), options); // the stack owns it from here on
                // a locally administered MAC per interface (IEEE 802 U/L bit), like a VM's virtual NICs
                final long mac = 0x02_00_00_00_00_00L | (long) (name.hashCode() & 0xffff) << 8 | (i + 1);
                final NetInterface ifc = s.addInterface("eth" + i, link, mac);
                poller.add(link.plug());
                s.addIpv4(ifc, p.cidr(), now); // on-link route, gratuitous ARP
            }
            s.setForwarding(true); // RFC 1812 §5.2: forward what is not for us, TTL-1, ICMP errors
        } catch (Exception | Error e) {
            s.close(); // closes the links already added
            throw e;
        }
        stack = s;
    }

    @Override
    protected long turn(final long now) {
        final Stack s = stack;
        s.poll(now); // ingress (bounded; a plug with more input makes the poller return at once), timers, egress
        return s.nextDeadline();
    }

    @Override
    protected void release() {
        final Stack s = stack;
        if (s != null) {
            s.close(); // and its links
        }
    }

    /** IPv4 datagrams forwarded so far (RFC 4293 ipForwDatagrams). Any thread. */
    public long forwarded() {
        final Stack s = stack;
        return s == null ? 0 : s.stats().get(Counter.IP4_FORW_DATAGRAMS);
    }

    /** {@code router r1: eth0 10.1.0.1/24 on switch://net-a, eth1 10.2.0.1/24 on switch://net-b, forwarding}. */
    @Override
    public String toString() {
        final StringJoiner j = new StringJoiner(", ", "router " + name + ": ", ", forwarding");
        final List<Port> l = new ArrayList<>(ports);
        for (int i = 0; i < l.size(); i++) {
            j.add("eth" + i + " " + l.get(i).cidr() + " on " + l.get(i).vnl());
        }
        return j.toString();
    }
}

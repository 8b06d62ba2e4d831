package io.ioth.vde.sw;

import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePlug;
import io.ioth.vde.Vnl;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Ticker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-JVM Ethernet switch (or hub) with vde_switch's semantics (vde-protocol.md §1.6): the default
 * wire ({@code Vde.open("")} is {@code switch://default}), so nothing needs installing.
 *
 * <ul>
 * <li>Learning: the source MAC of every frame (unless it is a group address) is learned on the ingress
 *     port; a known MAC moves to another port only once its entry is older than <em>min persistence</em>
 *     (default 3 s, as vde_switch; 0 disables); entries expire after 100 s idle (configurable).</li>
 * <li>Forwarding: group or unknown destinations flood to every other port; a known unicast goes only
 *     to its port, and is dropped if that is the ingress port. A frame never returns to its ingress port.</li>
 * <li>Hub mode floods everything and learns nothing.</li>
 * <li>No VLANs: every port is untagged VLAN 0 and tagged frames are switched like any other
 *     (vde_switch would filter them by VID). No port 0 / no FSTP.</li>
 * </ul>
 *
 * <p>Forwarding runs on the sender's thread inside {@link VdePlug#write}: the MAC table is read with
 * an optimistic lock (see {@link MacTable}), and the frame is handed, without copying, to the
 * receiving port's bounded MPSC input queue (a flood shares it via {@code retainedDuplicate()}).
 * A full queue drops (vde_switch has no backpressure either, §1.4). Frames between in-JVM ports may be up to
 * {@link #MAX_FRAME} bytes (no 1518-byte truncation in the JVM, and jumbo frames beyond vdeplug4's 9234 bytes, as
 * Linux's loopback carries 64 KiB); an external port (a real vde_plug on the {@link ControlSocket}) gets at most
 * {@link io.ioth.vde.internal.AbstractPlug#MAX_FRAME}, and longer frames to it are dropped and counted as oversize.
 *
 * <p><b>Named switches</b> ({@link #named}) live in a JVM-wide registry. A named switch exists from
 * its first use until it is {@link #close() closed} or its last port (in-JVM or external) goes away,
 * at which point it leaves the registry; the next {@code named(name, ..)} gets a fresh, empty switch.
 * Plugging into a switch object that left the registry this way puts it back if the name is free.
 * {@link #create()} makes private unnamed switches (tests); they live until closed or unreferenced.
 *
 * <p>Threading: every method may be called from any thread.
 */
public final class EmbeddedSwitch implements AutoCloseable {
    /**
     * The largest frame between in-JVM ports: an IP packet of 65535 bytes (the 16-bit total length of RFC 791 §3.1,
     * the payload length of RFC 8200 §3 without jumbograms) plus an Ethernet header and one 802.1Q tag. An interface
     * MTU of up to 65535 works on an embedded switch.
     */
    public static final int MAX_FRAME = 65535 + 18;

    /** vde_switch's defaults (vde-protocol.md §1.6). */
    public static final int DEFAULT_PORTS = 32;
    public static final Duration DEFAULT_EXPIRE = Duration.ofSeconds(100);
    public static final Duration DEFAULT_MIN_PERSISTENCE = Duration.ofSeconds(3);
    /** vde_switch garbage-collects its hash every 2 s. */
    private static final long GC_INTERVAL_NANOS = 2_000_000_000L;

    private static final Map<String, EmbeddedSwitch> REGISTRY = new HashMap<>();

    private final String name;
    private final boolean hub;
    private final int numPorts;
    private final Ticker ticker;
    final MacTable macs;
    private final AtomicLong nextGc;

    /** Immutable snapshot of the ports; replaced (copy-on-write) under {@code this}. */
    private static final class Ports {
        final EmbeddedPlug[] byNumber;
        final EmbeddedPlug[] members;

        Ports(EmbeddedPlug[] byNumber, EmbeddedPlug[] members) {
            this.byNumber = byNumber;
            this.members = members;
        }
    }

    private volatile Ports ports;
    private boolean closed;
    private boolean registered;
    private ControlSocket control;
    // totals of ports that went away, so switch-wide counters survive unplugging
    private long goneUnicast, goneFlooded, goneFiltered, goneQueueFull;

    private EmbeddedSwitch(Builder b) {
        this.name = b.name;
        this.hub = b.hub;
        this.numPorts = b.numPorts;
        this.ticker = b.ticker;
        this.macs = new MacTable(b.hashSize, b.expire.toNanos(), b.minPersistence.toNanos());
        this.nextGc = new AtomicLong(ticker.nanoTime() + GC_INTERVAL_NANOS);
        this.ports = new Ports(new EmbeddedPlug[numPorts], new EmbeddedPlug[0]);
    }

    // ------------------------------------------------------------------ creation and registry

    /** A private switch with the defaults and the system ticker. */
    public static EmbeddedSwitch create() { return builder().create(); }

    /** A private switch (or hub) with the defaults. */
    public static EmbeddedSwitch create(boolean hub) { return builder().hub(hub).create(); }

    public static Builder builder() { return new Builder(); }

    /**
     * The JVM-wide switch (or hub) of this name, created on first use. See the class comment for its
     * lifetime.
     *
     * @throws IllegalArgumentException if the name is in use by a switch of the other kind
     */
    public static EmbeddedSwitch named(String name, boolean hub) {
        Objects.requireNonNull(name, "name");
        synchronized (REGISTRY) {
            EmbeddedSwitch sw = REGISTRY.get(name);
            if (sw == null) {
                sw = builder().hub(hub).name(name).create();
                sw.registered = true;
                REGISTRY.put(name, sw);
            } else if (sw.hub != hub) {
                throw new IllegalArgumentException("embedded " + (sw.hub ? "hub" : "switch") + " '" + name
                        + "' exists; it cannot also be opened as a " + (hub ? "hub" : "switch"));
            }
            return sw;
        }
    }

    /** What {@code Vde.open("switch://NAME")} and {@code hub://NAME} do: atomic with respect to retirement. */
    public static EmbeddedPlug open(Vnl.Embedded vnl, VdeOptions options) {
        synchronized (REGISTRY) {
            return named(vnl.name(), vnl.hub()).plug(options);
        }
    }

    /** The name, or null for a private switch. */
    public String name() { return name; }

    public boolean isHub() { return hub; }

    /**
     * A new port, the lowest free number from 1 (vde-protocol.md §1.3: port 0 is never auto-allocated).
     *
     * @throws IllegalStateException if the switch is closed or all {@code numPorts - 1} ports are in use
     */
    public EmbeddedPlug plug(VdeOptions options) {
        Objects.requireNonNull(options, "options");
        Object regLock = name != null ? REGISTRY : new Object();
        synchronized (regLock) {
            synchronized (this) {
                if (closed) throw new IllegalStateException(this + " is closed");
                reRegisterIfRetired();
                Ports p = ports;
                for (int n = 1; n < numPorts; n++) {
                    if (p.byNumber[n] == null) return attach(n, options);
                }
                throw new IllegalStateException(this + ": all " + (numPorts - 1) + " ports are in use");
            }
        }
    }

    /** Holds REGISTRY (named) and this. */
    private void reRegisterIfRetired() {
        if (name == null || registered) return;
        EmbeddedSwitch other = REGISTRY.get(name);
        if (other != null && other != this) {
            throw new IllegalStateException("embedded switch '" + name + "' was discarded when its last port"
                    + " closed and the name now belongs to another switch; use EmbeddedSwitch.named() again");
        }
        REGISTRY.put(name, this);
        registered = true;
    }

    /** Holds this. Allocates port {@code n} for a plug. */
    EmbeddedPlug attach(int n, VdeOptions options) {
        Vnl.Embedded vnl = new Vnl.Embedded(name == null ? "private-" + Integer.toHexString(hashCode()) : name, hub);
        EmbeddedPlug plug = new EmbeddedPlug(this, n, vnl, options);
        Ports p = ports;
        EmbeddedPlug[] by = p.byNumber.clone();
        by[n] = plug;
        EmbeddedPlug[] members = java.util.Arrays.copyOf(p.members, p.members.length + 1);
        members[members.length - 1] = plug;
        ports = new Ports(by, members);
        return plug;
    }

    /**
     * A port for an external (control-socket) client: {@code want} >= 0 asks for that port number
     * (0 included, vde-protocol.md §1.3), -1 for the lowest free from 1. Null if unavailable.
     */
    synchronized EmbeddedPlug plugExternal(int want, VdeOptions options) {
        if (closed) return null;
        if (want >= 0) return isFree(want) ? attach(want, options) : null;
        for (int n = 1; n < numPorts; n++) if (ports.byNumber[n] == null) return attach(n, options);
        return null;
    }

    /** Whether port {@code n} is free (holds this). */
    boolean isFree(int n) {
        return n >= 0 && n < numPorts && ports.byNumber[n] == null;
    }

    int numPorts() { return numPorts; }

    /** Called by a plug's close(). */
    void unplug(EmbeddedPlug plug) {
        Object regLock = name != null ? REGISTRY : new Object();
        synchronized (regLock) {
            synchronized (this) {
                Ports p = ports;
                if (p.byNumber[plug.port] != plug) return;
                EmbeddedPlug[] by = p.byNumber.clone();
                by[plug.port] = null;
                EmbeddedPlug[] members = new EmbeddedPlug[p.members.length - 1];
                int j = 0;
                for (EmbeddedPlug m : p.members) if (m != plug) members[j++] = m;
                ports = new Ports(by, members);
                goneUnicast += plug.unicast;
                goneFlooded += plug.flooded;
                goneFiltered += plug.filtered;
                goneQueueFull += plug.overflow.get();
                if (members.length == 0 && control == null && registered) {
                    REGISTRY.remove(name, this); // vde-protocol: a named switch lives while it has ports
                    registered = false;
                }
            }
        }
        // vde-protocol.md §1.5: when a port is freed its MAC entries are flushed
        if (!hub) macs.flushPort(plug.port);
    }

    /** Called when the control socket stops. */
    void controlClosed(ControlSocket c) {
        Object regLock = name != null ? REGISTRY : new Object();
        synchronized (regLock) {
            synchronized (this) {
                if (control == c) control = null;
                if (ports.members.length == 0 && control == null && registered) {
                    REGISTRY.remove(name, this);
                    registered = false;
                }
            }
        }
    }

    // ------------------------------------------------------------------ forwarding (sender's thread)

    /**
     * Forwards a frame written by {@code in}; takes ownership.
     *
     * @return false if no recipient could queue it (all queues full)
     */
    boolean forward(EmbeddedPlug in, ByteBuf frame) {
        Ports p = ports;
        if (hub) return flood(in, p.members, frame);
        long now = ticker.nanoTime();
        int ri = frame.readerIndex();
        long dst = ((frame.getInt(ri) & 0xffffffffL) << 16) | frame.getUnsignedShort(ri + 4);
        long src = ((frame.getInt(ri + 6) & 0xffffffffL) << 16) | frame.getUnsignedShort(ri + 10);
        // vde-protocol.md §0: bit 0 of the first byte marks a group (broadcast/multicast) address
        if ((src & (1L << 40)) == 0) macs.learn(src, in.port, now);
        if (now - nextGc.get() >= 0) gc(now);
        if ((dst & (1L << 40)) != 0) return flood(in, p.members, frame);
        int out = macs.lookup(dst, now);
        if (out < 0) return flood(in, p.members, frame);
        if (out == in.port) { // §1.6: a known unicast on its own port is dropped, never echoed
            in.filtered++;
            frame.release();
            return true;
        }
        EmbeddedPlug to = out < p.byNumber.length ? p.byNumber[out] : null;
        if (to == null) return flood(in, p.members, frame); // the port left since learning
        in.unicast++;
        return to.deliver(frame);
    }

    private static boolean flood(EmbeddedPlug in, EmbeddedPlug[] members, ByteBuf frame) {
        in.flooded++;
        int remaining = members.length;
        for (EmbeddedPlug m : members) if (m == in) remaining--;
        if (remaining <= 0) {
            frame.release();
            return true; // alone on the wire: the wire took it
        }
        boolean any = false;
        for (EmbeddedPlug m : members) {
            if (m == in) continue;
            // every copy but the last shares the buffer; the last takes the writer's reference
            ByteBuf f = --remaining == 0 ? frame : frame.retainedDuplicate();
            any |= m.deliver(f);
        }
        return any;
    }

    private void gc(long now) {
        long due = nextGc.get();
        if (now - due >= 0 && nextGc.compareAndSet(due, now + GC_INTERVAL_NANOS)) macs.expire(now);
    }

    // ------------------------------------------------------------------ impairment, stats, control

    /** Impairs the link switch → {@code plug}; {@code null} removes it. See {@link Impairment}. */
    public void impair(VdePlug plug, Impairment impairment) {
        if (!(plug instanceof EmbeddedPlug) || ((EmbeddedPlug) plug).sw != this) {
            throw new IllegalArgumentException(plug + " is not a port of " + this);
        }
        ((EmbeddedPlug) plug).impair(impairment);
    }

    /** The port {@code mac} (48 bits, e.g. 0x02000000000aL) is learned on, or -1. */
    public int lookup(long mac) {
        return macs.lookup(mac, ticker.nanoTime());
    }

    public synchronized SwitchStats stats() {
        long u = goneUnicast, f = goneFlooded, fi = goneFiltered, q = goneQueueFull;
        EmbeddedPlug[] m = ports.members;
        for (EmbeddedPlug p : m) {
            u += p.unicast;
            f += p.flooded;
            fi += p.filtered;
            q += p.overflow.get();
        }
        return new SwitchStats(m.length, u, f, fi, q, macs.size());
    }

    /**
     * Makes this switch reachable by real VDE tools, as a vde_switch would be with {@code -s dir}:
     * creates {@code dir/ctl} and bridges each {@code vde_plug vde:///dir} client into a port
     * (vde-protocol.md §1.1-1.5). One I/O thread serves all external ports. Stops when the switch
     * closes or the returned handle is closed.
     *
     * @throws IOException if the control socket cannot be created
     * @throws IllegalStateException if this switch already listens
     */
    public ControlSocket listen(Path dir) throws IOException {
        synchronized (this) {
            if (closed) throw new IllegalStateException(this + " is closed");
            if (control != null) throw new IllegalStateException(this + " already listens on " + control.dir());
            control = ControlSocket.start(this, dir);
            return control;
        }
    }

    /**
     * Closes the switch: every port is detached (its owner hears {@code onDisconnected} at its next
     * read, writes are dropped as NOT_CONNECTED; the plugs must still be closed by their owners), the
     * control socket stops and a named switch leaves the registry. Idempotent.
     */
    @Override
    public void close() {
        ControlSocket c;
        EmbeddedPlug[] members;
        Object regLock = name != null ? REGISTRY : new Object();
        synchronized (regLock) {
            synchronized (this) {
                if (closed) return;
                closed = true;
                c = control;
                control = null;
                members = ports.members;
                if (registered) {
                    REGISTRY.remove(name, this);
                    registered = false;
                }
            }
        }
        if (c != null) c.close();
        for (EmbeddedPlug p : members) p.detach();
    }

    public synchronized boolean isClosed() { return closed; }

    @Override
    public String toString() {
        return (hub ? "hub://" : "switch://") + (name == null ? "(private@" + Integer.toHexString(hashCode()) + ")" : name);
    }

    /** Configures a switch. Not thread-safe. */
    public static final class Builder {
        private String name;
        private boolean hub;
        private int numPorts = DEFAULT_PORTS;
        private int hashSize = 128;
        private Duration expire = DEFAULT_EXPIRE;
        private Duration minPersistence = DEFAULT_MIN_PERSISTENCE;
        private Ticker ticker = Ticker.systemTicker();

        private Builder() {}

        Builder name(String n) { name = n; return this; }

        public Builder hub(boolean h) { hub = h; return this; }

        /** Ports 0..n-1, of which 1..n-1 are allocated (vde_switch {@code -n}, default 32). */
        public Builder numPorts(int n) {
            if (n < 2) throw new IllegalArgumentException("numPorts must be >= 2: " + n);
            numPorts = n;
            return this;
        }

        /** Initial MAC table size (it grows as needed). */
        public Builder hashSize(int n) {
            if (n < 1) throw new IllegalArgumentException("hashSize must be >= 1: " + n);
            hashSize = n;
            return this;
        }

        /** How long an idle MAC entry lives (vde_switch {@code hash/setexpire}, default 100 s). */
        public Builder expire(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("expire must be > 0: " + d);
            expire = d;
            return this;
        }

        /** How long a MAC stays on its port before it may move (vde_switch {@code hash/setminper}, default 3 s). */
        public Builder minPersistence(Duration d) {
            if (d.isNegative()) throw new IllegalArgumentException("minPersistence must be >= 0: " + d);
            minPersistence = d;
            return this;
        }

        /** The clock for MAC aging and min persistence. */
        public Builder ticker(Ticker t) { ticker = Objects.requireNonNull(t); return this; }

        public EmbeddedSwitch create() { return new EmbeddedSwitch(this); }
    }
}

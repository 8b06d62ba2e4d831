package io.ioth.vde;


import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Opens plugs.
 *
 * <pre>{@code
 * try (VdePlug plug = Vde.open("vde:///tmp/sw[3]")) { ... }
 * VdePlug lan = Vde.open("");   // the embedded in-JVM switch "default": nothing to install
 * }</pre>
 */
public final class Vde {
    private Vde() {}

    public static VdePlug open(String vnl) throws IOException {
        return open(Vnl.parse(vnl), VdeOptions.defaults());
    }

    public static VdePlug open(String vnl, VdeOptions options) throws IOException {
        return open(Vnl.parse(vnl), options);
    }

    /**
     * Opens a plug on the wire {@code vnl} names. For {@code vde://} this performs the switch
     * handshake and waits at most {@link VdeOptions#connectTimeout()} for the answer.
     *
     * @throws IOException if the wire cannot be joined (no switch, port refused, command failed)
     */
    public static VdePlug open(Vnl vnl, VdeOptions options) throws IOException {
        // vde:// (SwitchPlug)
        if (vnl instanceof Vnl.Switch sw) return io.ioth.vde.internal.SwitchPlug.open(sw, options);
        // vxvde:// and udp:// (VxvdePlug, UdpPlug)
        if (vnl instanceof Vnl.Vxvde x) return io.ioth.vde.internal.VxvdePlug.open(x, options); else if (vnl instanceof Vnl.Udp u) return io.ioth.vde.internal.UdpPlug.open(u, options);
        // cmd:// and stdio:// (CmdPlug, StreamPlug)
        if (vnl instanceof Vnl.Cmd c) return io.ioth.vde.internal.CmdPlug.open(c, options); else if (vnl instanceof Vnl.Stdio s) return io.ioth.vde.internal.StreamPlug.stdio(s, options);
        if (vnl instanceof Vnl.Embedded e) return io.ioth.vde.sw.EmbeddedSwitch.open(e, options); // switch:// and hub:// (EmbeddedSwitch)
        throw new IllegalArgumentException("no plug for " + vnl);
    }

    /**
     * A stream cable (2-byte big-endian length per frame) over arbitrary Java streams. Such streams
     * cannot be polled, so this plug reads with a thread of its own and hands frames over in
     * batches; for file descriptors prefer {@code stdio://} or {@code cmd://}.
     */
    public static VdePlug stream(InputStream in, OutputStream out, VdeOptions options) {
        return new io.ioth.vde.internal.JavaStreamPlug(in, out, options);
    }
}

package io.ioth.examples.scenarios;

import io.ioth.examples.HttpFetch;
import io.ioth.transport.IothEventLoopGroup;
import io.ioth.transport.IothIdentity;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NetUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The bench a scenario runs on: it remembers every stack (event loop group), router and cable the scenario makes and
 * takes them all down, newest first, when the scenario ends. Plus the two one-liners every scenario needs: a fresh
 * embedded switch name, and a GET whose body is a line of text.
 *
 * <pre>{@code
 * try (Lab lab = new Lab()) {
 *     String net = Lab.uniqueSwitch("net");
 *     IothEventLoopGroup server = lab.stack("vnl=" + net + ",eth,ip=10.0.0.1/24");
 *     ...
 * }   // every group shut down, every cable and router stopped
 * }</pre>
 *
 * <p>Not thread-safe: the scenario's main thread owns it.
 */
public final class Lab implements AutoCloseable {
    private final Deque<AutoCloseable> things = new ArrayDeque<>();

    /** {@code switch://PREFIX-xxxxxx}: an embedded switch no other run of this JVM uses. */
    public static String uniqueSwitch(final String prefix) {
        return "switch://" + prefix + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    }

    /** A new one-loop group, i.e. one stack of the identity written as an iothconf string. */
    public IothEventLoopGroup stack(final String iothconf) {
        return stack(IothIdentity.parse(iothconf));
    }

    /** A new one-loop group, i.e. one stack of {@code identity}. */
    public IothEventLoopGroup stack(final IothIdentity identity) {
        final IothEventLoopGroup g = new IothEventLoopGroup(identity);
        things.push(() -> stop(g));
        return g;
    }

    /** Remembers {@code thing} to close it with the lab. */
    public <T extends AutoCloseable> T add(final T thing) {
        things.push(thing);
        return thing;
    }

    /** Shuts a group down now (its stack leaves the wire) and waits until it has. */
    public static void stop(final EventLoopGroup group) {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /**
     * {@code GET http://IP:PORT/PATH} from the stack of {@code group}; the body as text, without its final newline.
     *
     * @throws IOException if the status is not 200 (or the connection fails, or the answer is late)
     */
    public static String get(final EventLoopGroup group, final String ip, final int port, final String path,
                             final long timeout, final TimeUnit unit) throws Exception {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final InetAddress address = InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(ip));
        final HttpFetch.Result r = HttpFetch.get(group, address, URI.create("http://" + ip + ":" + port + path), body,
                unit.toNanos(timeout));
        final String text = body.toString(StandardCharsets.UTF_8).strip();
        if (r.status() != 200) {
            throw new IOException("GET " + path + ": HTTP " + r.status() + " " + text);
        }
        return text;
    }

    /** Milliseconds, one decimal: {@code 12.3 ms}. */
    static String ms(final long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }

    /** Closes everything, newest first; the first failure is rethrown once all are closed. */
    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!things.isEmpty()) {
            try {
                things.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}

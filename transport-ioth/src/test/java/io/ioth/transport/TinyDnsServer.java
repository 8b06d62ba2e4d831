package io.ioth.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny authoritative DNS server on an IoTh identity, with Netty's DNS codec (RFC 1035): A and AAAA answers from a
 * map, NXDOMAIN for other names, an empty answer for other types. Records every question ("A appliance.lab.test",
 * "tcp A big.lab.test"). Over UDP, the names in {@link #truncated} get an empty answer with the TC bit (RFC 1035
 * §4.2.1: "retry using TCP"); {@link #startTcp} serves TCP too (RFC 1035 §4.2.2, 2-byte length prefix).
 */
@ChannelHandler.Sharable
final class TinyDnsServer extends SimpleChannelInboundHandler<DnsQuery> {
    final Map<String, List<InetAddress>> records;
    final List<String> asked = new CopyOnWriteArrayList<>();
    final Set<String> truncated = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private TinyDnsServer(final Map<String, List<InetAddress>> records) {
        this.records = records;
    }

    /** Also answers over TCP on port 53 of {@code bindAddress}. */
    TinyDnsServer startTcp(final EventLoopGroup group, final String bindAddress) throws InterruptedException {
        new ServerBootstrap().group(group).channel(IothServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(final Channel c) {
                        c.pipeline().addLast(new TcpDnsQueryDecoder(), new TcpDnsResponseEncoder(),
                                TinyDnsServer.this);
                    }
                }).bind(new InetSocketAddress(bindAddress, 53)).sync();
        return this;
    }

    /** Binds port 53 of {@code bind}'s address on {@code group}'s stack. */
    static TinyDnsServer start(final EventLoopGroup group, final String bindAddress,
                               final Map<String, List<InetAddress>> records) throws InterruptedException {
        final TinyDnsServer s = new TinyDnsServer(records);
        final Channel ch = new Bootstrap().group(group).channel(IothDatagramChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(final Channel c) {
                        c.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), s);
                    }
                }).bind(new InetSocketAddress(bindAddress, 53)).sync().channel();
        s.channel = ch;
        return s;
    }

    private Channel channel;

    Channel channel() {
        return channel;
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final DnsQuery q) {
        final DnsQuestion question = q.recordAt(DnsSection.QUESTION);
        final String name = question.name().toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        final boolean udp = q instanceof DatagramDnsQuery;
        asked.add((udp ? "" : "tcp ") + question.type().name() + " " + name);
        final DnsResponse r = udp
                ? new DatagramDnsResponse(((DatagramDnsQuery) q).recipient(), ((DatagramDnsQuery) q).sender(), q.id())
                : new DefaultDnsResponse(q.id());
        r.setRecursionDesired(q.isRecursionDesired());
        r.setAuthoritativeAnswer(true);
        r.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(question.name(), question.type()));
        final List<InetAddress> addrs = records.get(name);
        if (udp && truncated.contains(name)) {
            r.setTruncated(true);
        } else if (addrs == null) {
            r.setCode(DnsResponseCode.NXDOMAIN); // RFC 1035 §4.1.1 RCODE 3
        } else {
            for (InetAddress a : addrs) {
                final boolean match = question.type() == DnsRecordType.A ? a instanceof Inet4Address
                        : question.type() == DnsRecordType.AAAA && a instanceof Inet6Address;
                if (match) {
                    r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), question.type(), 60,
                            Unpooled.wrappedBuffer(a.getAddress())));
                }
            }
        }
        ctx.writeAndFlush(r);
    }
}

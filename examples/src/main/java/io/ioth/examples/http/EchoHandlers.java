package io.ioth.examples.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

/** The echo service of RFC 862 over TCP and UDP, with TCP backpressure (reads pause while the peer is slow). */
public final class EchoHandlers {
    private EchoHandlers() {}

    /** TCP echo (RFC 862 §1): everything received is sent back. One instance per channel. */
    public static final class Tcp extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx) {
            ctx.flush();
            if (!ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false); // backpressure: resume when the peer drained us
            }
        }

        @Override
        public void channelWritabilityChanged(final ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            ctx.close();
        }
    }

    /** UDP echo (RFC 862 §2): each datagram goes back to its sender. Stateless, so shared. */
    @ChannelHandler.Sharable
    public static final class Udp extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket p) {
            ctx.writeAndFlush(new DatagramPacket(p.content().retain(), p.sender()));
        }
    }
}

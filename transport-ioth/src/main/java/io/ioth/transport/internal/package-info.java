/**
 * Internals of the IoTh transport, not API: the VDE plug as the engine's frame link (the only class importing both
 * the engine and the wire), the loop's clock for the stack, and the mapping of the engine's errno results to the
 * exceptions Netty users expect.
 */
package io.ioth.transport.internal;

package io.github.e2ekit.e2e.testbed.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.zip.Adler32;
import org.junit.jupiter.api.Test;

/** SPDY/3.1 framing and header compression as spdystream (kubectl's SPDY library) reads and writes them. */
class SpdyTest {

    @Test
    void theHeaderDictionaryIsSpdystreamsByteForByte() {
        // spdystream spdy/dictionary.go: 1423 bytes; zlib's FDICT check compares this Adler-32
        Adler32 adler = new Adler32();
        adler.update(Spdy.DICTIONARY);
        assertThat(Spdy.DICTIONARY).hasSize(1423);
        assertThat(adler.getValue()).isEqualTo(3821447106L);
        assertThat(new String(Spdy.DICTIONARY, 0, 11, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("\0\0\0\u0007options");
    }

    @Test
    void headerBlocksOfOneConnectionShareOneDictionaryPrimedZlibStream() throws Exception {
        Spdy.HeaderCompressor out = new Spdy.HeaderCompressor();
        Spdy.HeaderDecompressor in = new Spdy.HeaderDecompressor();
        Map<String, List<String>> error =
                Map.of("streamtype", List.of("error"), "port", List.of("8080"), "requestid", List.of("0"));
        Map<String, List<String>> data =
                Map.of("streamtype", List.of("data"), "port", List.of("8080"), "requestid", List.of("0"));
        byte[] first = out.compress(error);
        byte[] second = out.compress(data);
        byte[] empty = out.compress(Map.of());
        // zlib header: deflate, FDICT set, then the dictionary's Adler-32 (RFC 1950 section 2.2)
        assertThat(first[0]).isEqualTo((byte) 0x78);
        assertThat(first[1] & 0x20).isEqualTo(0x20);
        assertThat(ByteBuffer.wrap(first, 2, 4).getInt() & 0xffffffffL).isEqualTo(3821447106L);
        // the second block continues the same stream: no zlib header again, and it is short
        assertThat(second[0]).isNotEqualTo((byte) 0x78);
        assertThat(second.length).isLessThan(first.length);
        assertThat(in.decompress(first)).isEqualTo(error);
        assertThat(in.decompress(second)).isEqualTo(data);
        assertThat(in.decompress(empty)).isEmpty();
        out.close();
        in.close();
    }

    @Test
    void framesRoundTripWithTheirTypesFlagsAndStreamIds() throws Exception {
        Spdy.HeaderCompressor hc = new Spdy.HeaderCompressor();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(Spdy.synStream(1, Spdy.FLAG_FIN, hc.compress(Map.of("port", List.of("80")))));
        wire.writeBytes(Spdy.synReply(1, 0, hc.compress(Map.of())));
        wire.writeBytes(Spdy.data(3, true, "hello".getBytes(), 0, 5));
        wire.writeBytes(Spdy.rstStream(3, Spdy.CANCEL));
        wire.writeBytes(Spdy.ping(7));
        wire.writeBytes(Spdy.goAway(5, 0));
        ByteArrayInputStream in = new ByteArrayInputStream(wire.toByteArray());

        Spdy.Control syn = (Spdy.Control) Spdy.read(in);
        assertThat(syn.type()).isEqualTo(Spdy.SYN_STREAM);
        assertThat(syn.flags()).isEqualTo(Spdy.FLAG_FIN);
        assertThat(syn.streamId()).isEqualTo(1);
        Spdy.HeaderDecompressor hd = new Spdy.HeaderDecompressor();
        assertThat(hd.decompress(Spdy.synStreamHeaderBlock(syn))).containsEntry("port", List.of("80"));
        Spdy.Control reply = (Spdy.Control) Spdy.read(in);
        assertThat(reply.type()).isEqualTo(Spdy.SYN_REPLY);
        assertThat(reply.streamId()).isEqualTo(1);
        Spdy.Data data = (Spdy.Data) Spdy.read(in);
        assertThat(data.streamId()).isEqualTo(3);
        assertThat(data.fin()).isTrue();
        assertThat(new String(data.data())).isEqualTo("hello");
        Spdy.Control rst = (Spdy.Control) Spdy.read(in);
        assertThat(rst.type()).isEqualTo(Spdy.RST_STREAM);
        assertThat(rst.secondWord()).isEqualTo(Spdy.CANCEL);
        Spdy.Control ping = (Spdy.Control) Spdy.read(in);
        assertThat(ping.type()).isEqualTo(Spdy.PING);
        assertThat(ping.streamId()).isEqualTo(7);
        Spdy.Control goAway = (Spdy.Control) Spdy.read(in);
        assertThat(goAway.type()).isEqualTo(Spdy.GOAWAY);
        assertThat(Spdy.read(in)).isNull();
        // control frames carry version 3 with the control bit: 0x8003
        assertThat(wire.toByteArray()[0] & 0xff).isEqualTo(0x80);
        assertThat(wire.toByteArray()[1]).isEqualTo((byte) 3);
    }
}

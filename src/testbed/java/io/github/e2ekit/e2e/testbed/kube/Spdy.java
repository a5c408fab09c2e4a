package io.github.e2ekit.e2e.testbed.kube;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * SPDY/3.1 framing as the Kubernetes clients speak it (moby/spdystream, {@code spdy/types.go}, {@code read.go},
 * {@code write.go}; the SPDY/3 draft, section 2): 8-byte frame headers, control frames with version 3, data frames
 * with a 31-bit stream id, and name/value header blocks compressed with one zlib stream per direction and
 * connection, primed with the SPDY/3 dictionary and flushed (sync flush) after every block.
 */
final class Spdy {
    static final int VERSION = 3;
    static final int SYN_STREAM = 1;
    static final int SYN_REPLY = 2;
    static final int RST_STREAM = 3;
    static final int SETTINGS = 4;
    static final int PING = 6;
    static final int GOAWAY = 7;
    static final int HEADERS = 8;
    static final int WINDOW_UPDATE = 9;
    /** FLAG_FIN on SYN_STREAM, SYN_REPLY, HEADERS and data frames: the sender will send nothing more. */
    static final int FLAG_FIN = 0x01;
    /** RST_STREAM status codes (spdystream {@code RstStreamStatus}). */
    static final int PROTOCOL_ERROR = 1;

    static final int CANCEL = 5;

    /**
     * The SPDY/3 header compression dictionary (draft 3, section 2.6.10.1, as spdystream's {@code dictionary.go}
     * holds it: 1423 bytes, no trailing NUL): length-prefixed header names and values, then a run of common text.
     */
    static final byte[] DICTIONARY = dictionary();

    private Spdy() {}

    /** A frame read from the wire. */
    sealed interface Frame {}

    /** A control frame: its type, flags and undecoded payload. */
    record Control(int type, int flags, byte[] payload) implements Frame {
        int streamId() {
            return ByteBuffer.wrap(payload).getInt() & 0x7fffffff;
        }

        int secondWord() {
            return ByteBuffer.wrap(payload).getInt(4);
        }
    }

    /** A data frame. */
    record Data(int streamId, int flags, byte[] data) implements Frame {
        boolean fin() {
            return (flags & FLAG_FIN) != 0;
        }
    }

    /** Reads one frame; null at a clean end of stream before a frame starts. */
    static Frame read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int first;
        try {
            first = d.readInt();
        } catch (EOFException e) {
            return null;
        }
        int second = d.readInt();
        int flags = (second >>> 24) & 0xff;
        int length = second & 0xffffff;
        byte[] payload = new byte[length];
        d.readFully(payload);
        if ((first & 0x80000000) != 0) {
            int version = (first >>> 16) & 0x7fff;
            if (version != VERSION) {
                throw new IOException("unsupported SPDY version " + version);
            }
            return new Control(first & 0xffff, flags, payload);
        }
        return new Data(first & 0x7fffffff, flags, payload);
    }

    static byte[] control(int type, int flags, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) (0x8000 | VERSION))
                .putShort((short) type)
                .putInt((flags << 24) | payload.length)
                .put(payload);
        return b.array();
    }

    static byte[] data(int streamId, boolean fin, byte[] data, int off, int len) {
        ByteBuffer b = ByteBuffer.allocate(8 + len);
        b.putInt(streamId & 0x7fffffff)
                .putInt(((fin ? FLAG_FIN : 0) << 24) | len)
                .put(data, off, len);
        return b.array();
    }

    static byte[] synStream(int streamId, int flags, byte[] headerBlock) {
        ByteBuffer p = ByteBuffer.allocate(10 + headerBlock.length);
        p.putInt(streamId).putInt(0).put((byte) 0).put((byte) 0).put(headerBlock);
        return control(SYN_STREAM, flags, p.array());
    }

    static byte[] synReply(int streamId, int flags, byte[] headerBlock) {
        ByteBuffer p = ByteBuffer.allocate(4 + headerBlock.length);
        p.putInt(streamId).put(headerBlock);
        return control(SYN_REPLY, flags, p.array());
    }

    static byte[] rstStream(int streamId, int status) {
        return control(
                RST_STREAM,
                0,
                ByteBuffer.allocate(8).putInt(streamId).putInt(status).array());
    }

    static byte[] ping(int id) {
        return control(PING, 0, ByteBuffer.allocate(4).putInt(id).array());
    }

    static byte[] goAway(int lastGoodStreamId, int status) {
        return control(
                GOAWAY,
                0,
                ByteBuffer.allocate(8).putInt(lastGoodStreamId).putInt(status).array());
    }

    /** The compressed header block of a SYN_STREAM (after stream ids, priority and slot). */
    static byte[] synStreamHeaderBlock(Control c) {
        byte[] out = new byte[c.payload().length - 10];
        System.arraycopy(c.payload(), 10, out, 0, out.length);
        return out;
    }

    /** One direction's header compression: a single zlib stream for the whole connection. */
    static final class HeaderCompressor {
        private final Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);

        HeaderCompressor() {
            deflater.setDictionary(DICTIONARY);
        }

        synchronized byte[] compress(Map<String, List<String>> headers) {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            writeInt(raw, headers.size());
            for (Map.Entry<String, List<String>> h : headers.entrySet()) {
                byte[] name = h.getKey().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
                byte[] value = String.join("\0", h.getValue()).getBytes(StandardCharsets.UTF_8);
                writeInt(raw, name.length);
                raw.writeBytes(name);
                writeInt(raw, value.length);
                raw.writeBytes(value);
            }
            deflater.setInput(raw.toByteArray());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            do {
                n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                out.write(buf, 0, n);
            } while (n == buf.length);
            return out.toByteArray();
        }

        void close() {
            deflater.end();
        }
    }

    /** The other direction: one zlib stream, primed with the dictionary when it asks for it. */
    static final class HeaderDecompressor {
        private final Inflater inflater = new Inflater();

        synchronized Map<String, List<String>> decompress(byte[] block) throws IOException {
            inflater.setInput(block);
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                while (true) {
                    int n = inflater.inflate(buf);
                    if (n > 0) {
                        raw.write(buf, 0, n);
                        continue;
                    }
                    if (inflater.needsDictionary()) {
                        inflater.setDictionary(DICTIONARY);
                        continue;
                    }
                    if (inflater.needsInput() || inflater.finished()) {
                        break;
                    }
                }
            } catch (DataFormatException e) {
                throw new IOException("bad SPDY header block: " + e.getMessage(), e);
            }
            return parseHeaderBlock(raw.toByteArray());
        }

        void close() {
            inflater.end();
        }
    }

    private static Map<String, List<String>> parseHeaderBlock(byte[] raw) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(raw);
        Map<String, List<String>> out = new LinkedHashMap<>();
        try {
            int count = b.getInt();
            for (int i = 0; i < count; i++) {
                byte[] name = new byte[b.getInt()];
                b.get(name);
                byte[] value = new byte[b.getInt()];
                b.get(value);
                List<String> values =
                        new ArrayList<>(List.of(new String(value, StandardCharsets.UTF_8).split("\0", -1)));
                out.computeIfAbsent(new String(name, StandardCharsets.UTF_8), k -> new ArrayList<>())
                        .addAll(values);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException("truncated SPDY header block");
        }
        return out;
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
    }

    private static byte[] dictionary() {
        String[] words = {
            "options",
            "head",
            "post",
            "put",
            "delete",
            "trace",
            "accept",
            "accept-charset",
            "accept-encoding",
            "accept-language",
            "accept-ranges",
            "age",
            "allow",
            "authorization",
            "cache-control",
            "connection",
            "content-base",
            "content-encoding",
            "content-language",
            "content-length",
            "content-location",
            "content-md5",
            "content-range",
            "content-type",
            "date",
            "etag",
            "expect",
            "expires",
            "from",
            "host",
            "if-match",
            "if-modified-since",
            "if-none-match",
            "if-range",
            "if-unmodified-since",
            "last-modified",
            "location",
            "max-forwards",
            "pragma",
            "proxy-authenticate",
            "proxy-authorization",
            "range",
            "referer",
            "retry-after",
            "server",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "user-agent",
            "vary",
            "via",
            "warning",
            "www-authenticate",
            "method",
            "get",
            "status",
            "200 OK",
            "version",
            "HTTP/1.1",
            "url",
            "public",
            "set-cookie",
            "keep-alive",
            "origin"
        };
        String tail = "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
                + "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
                + "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
                + "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
                + "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
                + "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String w : words) {
            writeInt(out, w.length());
            out.writeBytes(w.getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(tail.getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}

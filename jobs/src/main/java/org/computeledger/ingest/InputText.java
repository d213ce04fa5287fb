package org.computeledger.ingest;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * How ingest turns a stored file into the text a parser reads (used by detection and by the parse
 * task alike): gzip told by its magic bytes and read up to any damage without failing, UTF-8 decoded
 * with undecodable bytes marked, control characters marked and lines cut at a limit (see
 * {@link Plausibility}). Nothing here throws on bad content; only a file system error does.
 */
final class InputText {
  private InputText() {}

  /**
   * The decompressed bytes of a stored file. A gzip stream that is cut short or corrupt ends where
   * the damage is, with the bytes after its last complete line held back (never parsed as a partial
   * record), and {@link Decompressed#damage()} says what happened and where.
   */
  static Decompressed open(InputStream stored) throws IOException {
    BufferedInputStream in = new BufferedInputStream(stored, 1 << 16);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    return b0 == 0x1f && b1 == 0x8b ? new Gunzipped(in) : new Decompressed(in);
  }

  /**
   * Text of a decompressed file: a UTF-8 byte-order mark skipped (some exporters write one, and it
   * would corrupt the first field), each undecodable byte sequence replaced by
   * {@link Plausibility#NOT_UTF8}, and lines limited as {@link LimitedLines} does.
   */
  static Reader text(InputStream in, int maxLineChars) throws IOException {
    return text(in, maxLineChars, false);
  }

  /**
   * As {@link #text(InputStream, int)}; with {@code markUnterminated}, a last line without a line
   * break ends with {@link Plausibility#UNTERMINATED}.
   */
  static Reader text(InputStream in, int maxLineChars, boolean markUnterminated) throws IOException {
    InputStream b = in.markSupported() ? in : new BufferedInputStream(in);
    b.mark(3);
    byte[] bom = b.readNBytes(3);
    if (!(bom.length == 3 && (bom[0] & 0xFF) == 0xEF && (bom[1] & 0xFF) == 0xBB && (bom[2] & 0xFF) == 0xBF)) {
      b.reset();
    }
    return lineText(b, maxLineChars, markUnterminated);
  }

  /** As {@link #text(InputStream, int, boolean)} without looking for a byte-order mark (one line of {@link ByteLines}). */
  static Reader lineText(InputStream in, int maxLineChars, boolean markUnterminated) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE)
        .replaceWith(String.valueOf(Plausibility.NOT_UTF8));
    return new LimitedLines(new InputStreamReader(in, decoder), maxLineChars, markUnterminated);
  }

  /** A stored file's bytes as they are (not compressed): nothing can be damaged in decoding them. */
  static class Decompressed extends FilterInputStream {
    Decompressed(InputStream in) {
      super(in);
    }

    /** What went wrong decompressing (the decompressor's message); null when nothing did. */
    String damage() {
      return null;
    }

    /** Stored bytes consumed when the damage was found: where the readable part of the file ends. */
    long damageOffset() {
      return -1;
    }

    /** The bytes after the last complete line that were not read because of the damage. */
    byte[] droppedTail() {
      return new byte[0];
    }
  }

  /**
   * A gzip stream read until its end or its first damage. Bytes after the last line break are held
   * back until the stream is known to have ended cleanly (at most about
   * {@link Plausibility#MAX_HELD_BACK_BYTES}; a longer run without a line break is released, and
   * is cut by the line limit anyway).
   */
  private static final class Gunzipped extends Decompressed {
    private final Counting stored;
    private Gunzip gzip;
    private final byte[] buf = new byte[Plausibility.MAX_HELD_BACK_BYTES];
    private int start;
    private int ready;
    private int end;
    private boolean eof;
    private String damage;
    private long damageOffset = -1;
    private byte[] dropped = new byte[0];

    Gunzipped(InputStream in) {
      super(in);
      this.stored = new Counting(in);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (start == ready) {
        if (eof) {
          return -1;
        }
        fill();
      }
      int n = Math.min(len, ready - start);
      System.arraycopy(buf, start, b, off, n);
      start += n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] tmp = new byte[(int) Math.min(n, 8192)];
      int r = read(tmp, 0, tmp.length);
      return Math.max(r, 0);
    }

    @Override
    public int available() {
      return ready - start;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    private void fill() throws IOException {
      if (start > 0) {
        System.arraycopy(buf, start, buf, 0, end - start);
        ready -= start;
        end -= start;
        start = 0;
      }
      if (end == buf.length) {
        // a line longer than the buffer: release it, the line limit cuts it
        ready = end;
        return;
      }
      int n;
      try {
        if (gzip == null) {
          gzip = new Gunzip(stored);
        }
        n = gzip.read(buf, end, buf.length - end);
      } catch (ZipException | EOFException e) {
        damageOffset = stored.count - (gzip == null ? 0 : gzip.remaining());
        dropped = java.util.Arrays.copyOfRange(buf, ready, end);
        damage = FileParseTask.oneLine(e);
        end = ready;
        eof = true;
        return;
      }
      if (n < 0) {
        eof = true;
        ready = end;
        return;
      }
      int from = end;
      end += n;
      for (int i = end - 1; i >= from; i--) {
        if (buf[i] == '\n') {
          ready = i + 1;
          break;
        }
      }
    }

    @Override
    String damage() {
      return damage;
    }

    @Override
    long damageOffset() {
      return damageOffset;
    }

    @Override
    byte[] droppedTail() {
      return dropped;
    }
  }

  /** Exposes how much of the compressed input the inflater has not consumed yet, to locate damage. */
  private static final class Gunzip extends GZIPInputStream {
    Gunzip(InputStream in) throws IOException {
      super(in, 1 << 16);
    }

    int remaining() {
      return inf == null ? 0 : inf.getRemaining();
    }
  }

  /** Counts the bytes read through it (the stored bytes, below any decompression). */
  static final class Counting extends FilterInputStream {
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }

  /**
   * Marks control characters (other than tab, CR, LF and the unit separator) as {@link Plausibility#CONTROL} and cuts
   * each line after {@code max} characters with {@link Plausibility#LINE_CUT}, skipping the rest of
   * it unread into memory. Line breaks are LF, CR and CRLF, as every parser counts them.
   */
  static final class LimitedLines extends Reader {
    /** U+001F, what {@code sacct --delimiter=$'\x1f'} separates fields with. */
    static final char UNIT_SEPARATOR = 0x1F;
    private final Reader in;
    private final int max;
    private final char[] buf = new char[1 << 14];
    private int pos;
    private int lim;
    private int lineLen;
    private boolean skipping;
    private final boolean markUnterminated;
    private boolean open;
    private boolean ended;

    LimitedLines(Reader in, int max) {
      this(in, max, false);
    }

    LimitedLines(Reader in, int max, boolean markUnterminated) {
      this.in = in;
      this.max = max;
      this.markUnterminated = markUnterminated;
    }

    @Override
    public int read(char[] out, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (true) {
        if (pos == lim) {
          int n = in.read(buf, 0, buf.length);
          if (n < 0) {
            if (markUnterminated && open && !skipping && !ended) {
              ended = true;
              out[off] = Plausibility.UNTERMINATED;
              return 1;
            }
            return -1;
          }
          pos = 0;
          lim = n;
        }
        int o = off;
        int stop = off + len;
        while (pos < lim && o < stop) {
          char c = buf[pos++];
          if (c == '\n' || c == '\r') {
            skipping = false;
            lineLen = 0;
            open = false;
            out[o++] = c;
          } else if (skipping) {
            continue;
          } else if (lineLen == max) {
            out[o++] = Plausibility.LINE_CUT;
            skipping = true;
          } else {
            lineLen++;
            open = true;
            // the unit separator is text: it is the delimiter recommended for sacct exports
            out[o++] = (c < 0x20 && c != '\t' && c != UNIT_SEPARATOR) || c == 0x7F ? Plausibility.CONTROL : c;
          }
        }
        if (o > off) {
          return o - off;
        }
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}

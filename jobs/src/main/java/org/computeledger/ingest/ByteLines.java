package org.computeledger.ingest;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The byte path of ingest for line formats that read billions of lines (Prometheus text): the
 * decompressed bytes cut into lines in place, each handed on as a range of one reused buffer, with no
 * String and no character decoding. A line that is plain printable ASCII, terminated and within the
 * line limit is "clean"; any other line (non-ASCII, control characters, too long, or the last line
 * without a line break) is turned into exactly the text {@link InputText} would have made of it, so
 * both paths quarantine the same lines with the same reasons.
 *
 * <p>Line breaks are LF, CR and CRLF, as {@link BufferedReader#readLine()} counts them. A split of a
 * file starts at a line's first byte with that line's number (see {@link LineSplits}) and reads until
 * a line starts at or after its end offset.
 */
final class ByteLines {
  /** Receives each line as bytes {@code [s, e)} of {@code b}, valid only during the call. */
  interface Consumer {
    /** A clean line: printable ASCII and spaces only, terminated, at most the line limit long. */
    void clean(long lineNo, byte[] b, int s, int e) throws IOException;

    /** Any other line, as the text the character path would have read. */
    void text(long lineNo, String line) throws IOException;
  }

  private static final int BUFFER = 1 << 20;

  private final InputStream in;
  private final int maxLineChars;
  private final boolean markUnterminated;
  /** Bytes of a line kept for its text when it is longer than the buffer: enough for the cut to show. */
  private final int keepBytes;
  private byte[] buf = new byte[BUFFER];
  private int pos;
  private int lim;
  private boolean eof;
  /** Offset in the stream of {@code buf[0]}. */
  private long bufOffset;

  /**
   * @param in the decompressed bytes, from the start of the file or of a split
   * @param maxLineChars the parser's line limit ({@link FormatParser#maxLineChars()})
   * @param markUnterminated whether a last line without a break is marked cut mid-write
   */
  ByteLines(InputStream in, int maxLineChars, boolean markUnterminated) {
    this.in = in;
    this.maxLineChars = maxLineChars;
    this.markUnterminated = markUnterminated;
    // a character is at most 3 bytes of UTF-8 per UTF-16 unit, so this many bytes always hold more than the limit
    this.keepBytes = 3 * (maxLineChars + 1) + 4;
    if (keepBytes + 2 > BUFFER) {
      buf = new byte[keepBytes + 2];
    }
  }

  /** Skips a UTF-8 byte-order mark at the very start of a file, as {@link InputText#text} does. */
  void skipByteOrderMark() throws IOException {
    fill(3);
    if (lim - pos >= 3 && (buf[pos] & 0xFF) == 0xEF && (buf[pos + 1] & 0xFF) == 0xBB && (buf[pos + 2] & 0xFF) == 0xBF) {
      pos += 3;
    }
  }

  /** Offset in the stream of the next unread byte. */
  long offset() {
    return bufOffset + pos;
  }

  /**
   * Reads lines numbered from {@code firstLine} until the end of the stream, or until a line starts
   * at or after stream offset {@code endOffset} (the next split's first line). Returns the number of
   * the last line read (firstLine - 1 when none was).
   */
  long read(long firstLine, long endOffset, Consumer out) throws IOException {
    long lineNo = firstLine - 1;
    while (true) {
      if (pos == lim && !fill(1)) {
        return lineNo;
      }
      if (bufOffset + pos >= endOffset) {
        return lineNo;
      }
      lineNo++;
      int s = pos;
      int i = s;
      boolean dirty = false;
      // the hot loop: one comparison per byte for printable ASCII (bytes >= 0x80 are negative)
      while (true) {
        while (i < lim) {
          byte c = buf[i];
          if (c < 0x20 || c == 0x7F) {
            if (c == '\n' || c == '\r') {
              break;
            }
            dirty = true;
          }
          i++;
        }
        if (i < lim) {
          break;
        }
        // the line goes on past the buffer
        if (eof) {
          break;
        }
        if (s > 0) {
          int n = lim - s;
          System.arraycopy(buf, s, buf, 0, n);
          bufOffset += s;
          i -= s;
          s = 0;
          lim = n;
        }
        if (lim == buf.length) {
          // longer than the buffer: the limit cuts it; keep its head for the text and skip to its break
          lineNo = longLine(lineNo, out);
          s = -1;
          break;
        }
        readMore();
      }
      if (s < 0) {
        continue;
      }
      boolean terminated = i < lim;
      int e = i;
      if (terminated) {
        pos = i + 1;
        if (buf[i] == '\r') {
          if (pos == lim) {
            // the LF of a CRLF may be the next buffer's first byte
            int keep = lim - s;
            System.arraycopy(buf, s, buf, 0, keep);
            bufOffset += s;
            e -= s;
            pos -= s;
            s = 0;
            lim = keep;
            readMore();
          }
          if (pos < lim && buf[pos] == '\n') {
            pos++;
          }
        }
      } else {
        pos = i;
        if (e == s) {
          // the file ended right after a line break: no further line
          return lineNo - 1;
        }
      }
      if (!dirty && terminated && e - s <= maxLineChars) {
        out.clean(lineNo, buf, s, e);
      } else {
        out.text(lineNo, text(buf, s, e, terminated));
      }
    }
  }

  /** A line longer than the buffer: its head as text, the rest skipped unread into memory. */
  private long longLine(long lineNo, Consumer out) throws IOException {
    byte[] head = java.util.Arrays.copyOf(buf, keepBytes);
    pos = lim;
    boolean terminated = false;
    while (!terminated) {
      if (pos == lim && !fill(1)) {
        break;
      }
      while (pos < lim) {
        byte c = buf[pos++];
        if (c == '\n' || c == '\r') {
          terminated = true;
          if (c == '\r' && (pos < lim || fill(1)) && buf[pos] == '\n') {
            pos++;
          }
          break;
        }
      }
    }
    out.text(lineNo, text(head, 0, head.length, terminated));
    return lineNo;
  }

  /** The text {@link InputText#text} makes of one line's bytes (no line break in them). */
  private String text(byte[] b, int s, int e, boolean terminated) throws IOException {
    try (BufferedReader r = new BufferedReader(InputText.lineText(
        new ByteArrayInputStream(b, s, e - s), maxLineChars, markUnterminated && !terminated))) {
      String line = r.readLine();
      return line == null ? "" : line;
    }
  }

  /** Makes at least {@code n} bytes available after pos unless the stream ends; false when none is. */
  private boolean fill(int n) throws IOException {
    if (lim - pos >= n) {
      return true;
    }
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      bufOffset += pos;
      lim -= pos;
      pos = 0;
    }
    while (lim - pos < n && !eof) {
      readMore();
    }
    return lim > pos;
  }

  private void readMore() throws IOException {
    if (lim == buf.length) {
      return;
    }
    int r = in.read(buf, lim, buf.length - lim);
    if (r < 0) {
      eof = true;
    } else {
      lim += r;
    }
  }
}

package org.computeledger.ingest;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Counts the lines of what it passes to the JSON parser and keeps the text of the most recent ones,
 * so a syntax error can be quarantined with its line as read. The parser reads ahead by one buffer
 * of a few thousand characters; the kept window is far larger than that. Used by the JSON formats
 * (Kubernetes pod lists, Prometheus API responses), whose records are not lines.
 */
final class LineTrackingReader extends Reader {
  private static final int KEEP_CHARS = 1 << 16;

  private final Reader in;
  private final ArrayDeque<String> recent = new ArrayDeque<>();
  private final StringBuilder current = new StringBuilder();
  private long completeLines;
  private long keptChars;
  private boolean started;

  LineTrackingReader(Reader in) {
    this.in = in;
  }

  @Override
  public int read(char[] buf, int off, int len) throws IOException {
    int n = in.read(buf, off, len);
    if (n <= 0) {
      return n;
    }
    if (!started) {
      started = true;
      if (buf[off] == '\uFEFF') {
        // a byte-order mark is no JSON; drop it before the parser sees it
        System.arraycopy(buf, off + 1, buf, off, n - 1);
        n--;
        if (n == 0) {
          return read(buf, off, len);
        }
      }
    }
    for (int i = off; i < off + n; i++) {
      char c = buf[i];
      if (c == '\n') {
        int end = current.length() > 0 && current.charAt(current.length() - 1) == '\r'
            ? current.length() - 1 : current.length();
        String text = current.substring(0, end);
        current.setLength(0);
        completeLines++;
        recent.addLast(text);
        keptChars += text.length() + 1;
        while (keptChars > KEEP_CHARS && recent.size() > 1) {
          keptChars -= recent.removeFirst().length() + 1;
        }
      } else if (current.length() < KEEP_CHARS) {
        current.append(c);
      }
    }
    return n;
  }

  /** Line number of the line being read now. */
  long lineNumber() {
    return completeLines + 1;
  }

  /** Lines in what was read, counting a last line without a newline. */
  long lineCount() {
    return completeLines + (current.length() > 0 ? 1 : 0);
  }

  /** Text of line {@code n} if it is still kept, else empty. */
  String lineText(long n) {
    if (n == completeLines + 1) {
      return current.toString();
    }
    long first = completeLines - recent.size() + 1;
    if (n < first || n > completeLines) {
      return "";
    }
    Iterator<String> it = recent.iterator();
    for (long i = first; i < n; i++) {
      it.next();
    }
    return it.next();
  }

  void drain() throws IOException {
    char[] buf = new char[8192];
    while (read(buf, 0, buf.length) >= 0) {
      // counting lines is all that is left to do
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}

package org.computeledger.common;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * YAML from a user's file read as plain data: mappings, lists and scalars, nothing else. Jackson reads
 * SnakeYAML's events and never constructs objects from tags, but it passes tags, anchors and aliases
 * through silently (an alias reads as the anchor's name); here each of them is refused, with the file
 * and line, so that a file meant for another YAML loader ({@code !!java...}, "billion laughs") is an
 * error and never a silently different value. (Jackson 2.15 reports anchors on mappings and lists
 * only; an anchor on a scalar is harmless alone, and any alias to it is refused.) SnakeYAML's own nesting and alias limits apply only
 * when it composes a node tree, which Jackson does not, so the nesting limit is enforced here too.
 */
public final class SafeYaml {
  /** Deepest nesting of mappings and lists accepted; the registry and standards need fewer than 10. */
  public static final int MAX_DEPTH = 64;

  private SafeYaml() {}

  /**
   * A parser over {@code text} that throws a {@link LedgerException} {@code file:line: ...} at the
   * first tag, anchor, alias or nesting deeper than {@link #MAX_DEPTH}. {@code maxChars} is the
   * longest text SnakeYAML's scanner accepts (its default is 3 MiB); callers pass their file's limit.
   */
  public static JsonParser parser(String text, String file, long maxChars) throws IOException {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit((int) Math.min(Integer.MAX_VALUE, Math.max(maxChars, 1)));
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setMaxAliasesForCollections(0);
    options.setAllowRecursiveKeys(false);
    YAMLFactory factory = YAMLFactory.builder().loaderOptions(options).build();
    return new Checked((YAMLParser) factory.createParser(text), file);
  }

  private static final class Checked extends JsonParserDelegate {
    private final YAMLParser yaml;
    private final String file;
    private int depth;

    Checked(YAMLParser yaml, String file) {
      super(yaml);
      this.yaml = yaml;
      this.file = file;
    }

    @Override
    public JsonToken nextToken() throws IOException {
      JsonToken t = super.nextToken();
      if (t == null) {
        return null;
      }
      if (yaml.isCurrentAlias()) {
        throw refused("an alias (*" + yaml.getText() + ")");
      }
      if (t != JsonToken.FIELD_NAME && t != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY) {
        String anchor = yaml.getObjectId();
        if (anchor != null) {
          throw refused("an anchor (&" + anchor + ")");
        }
        String tag = yaml.getTypeId();
        if (tag != null) {
          throw refused("a tag (" + printed(tag) + ")");
        }
      }
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        if (++depth > MAX_DEPTH) {
          throw new LedgerException(file + ":" + line() + ": not accepted: mappings and lists nested deeper than "
              + MAX_DEPTH + " levels");
        }
      } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
        depth--;
      }
      return t;
    }

    @Override
    public JsonParser skipChildren() throws IOException {
      // through nextToken, so that skipped values are checked too
      JsonToken t = currentToken();
      if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
        return this;
      }
      int open = 1;
      while (open > 0) {
        JsonToken n = nextToken();
        if (n == null) {
          return this;
        }
        if (n == JsonToken.START_OBJECT || n == JsonToken.START_ARRAY) {
          open++;
        } else if (n == JsonToken.END_OBJECT || n == JsonToken.END_ARRAY) {
          open--;
        }
      }
      return this;
    }

    private LedgerException refused(String what) {
      return new LedgerException(file + ":" + line() + ": not accepted: " + what
          + "; write plain values (tags, anchors and aliases are refused in this file)");
    }

    private int line() {
      return yaml.currentTokenLocation().getLineNr();
    }

    /** A tag as written: SnakeYAML resolves {@code !!x} to {@code tag:yaml.org,2002:x}, Jackson drops the {@code !}. */
    private static String printed(String tag) {
      String core = "tag:yaml.org,2002:";
      return tag.startsWith(core) ? "!!" + tag.substring(core.length()) : "!" + tag;
    }
  }
}

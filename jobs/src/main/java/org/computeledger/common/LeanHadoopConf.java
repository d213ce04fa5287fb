package org.computeledger.common;

import java.lang.reflect.Field;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Makes a Hadoop configuration cheaper to ship with every task of a small local run (see
 * {@code cli/SmallInput}): it forgets where each property came from. Spark serializes the session's Hadoop
 * configuration into every write task, and Hadoop writes, beside each property, the names of the files that
 * set it, each name gzipped on its own: a Deflater on the driver and an Inflater on the executor per property.
 * The properties and their values are untouched; only {@link Configuration#getPropertySources} no longer
 * knows their files (it names none then, as for a configuration read from a stream without sources).
 */
public final class LeanHadoopConf {
  private LeanHadoopConf() {}

  /**
   * Loads {@code conf}'s resources (so that it does not load them again later, sources and all) and drops
   * the record of each property's source files. Returns whether it could; a Hadoop whose configuration
   * has no such record (or refuses the access) is left as it is.
   */
  public static boolean dropSources(Configuration conf) {
    conf.size(); // loads core-default.xml, core-site.xml and the like now
    try {
      Field f = Configuration.class.getDeclaredField("updatingResource");
      f.setAccessible(true);
      Object sources = f.get(conf);
      if (sources instanceof Map<?, ?> m) {
        synchronized (conf) {
          m.clear();
        }
        return true;
      }
      return false;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}

package org.computeledger.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** A Hadoop configuration without its properties' source files: the same properties, fewer bytes per task. */
class LeanHadoopConfTest {
  private static Map<String, String> properties(Configuration c) {
    Map<String, String> m = new TreeMap<>();
    c.forEach(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }

  private static byte[] written(Configuration c) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    c.write(new DataOutputStream(b));
    return b.toByteArray();
  }

  private static Configuration withOwnSettings() {
    Configuration c = new Configuration();
    c.set("fs.file.impl", ProcessFreeLocalFileSystem.class.getName());
    c.set("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false");
    return c;
  }

  @Test
  void everyPropertyKeepsItsValue() {
    Configuration c = withOwnSettings();
    Map<String, String> before = properties(c);
    assertTrue(LeanHadoopConf.dropSources(c));
    assertEquals(before, properties(c));
    assertEquals(ProcessFreeLocalFileSystem.class.getName(), c.get("fs.file.impl"));
  }

  @Test
  void aTaskReadsTheSamePropertiesFromFewerBytes() throws IOException {
    Configuration c = withOwnSettings();
    int withSources = written(c).length;
    LeanHadoopConf.dropSources(c);
    byte[] lean = written(c);
    assertTrue(lean.length < withSources, lean.length + " bytes, with sources " + withSources);
    Configuration read = new Configuration(false);
    read.readFields(new DataInputStream(new ByteArrayInputStream(lean)));
    assertEquals(properties(c), properties(read));
  }
}

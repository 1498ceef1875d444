/**
 * The Sparkplug B payload (the `Payload` protobuf message of the Eclipse Sparkplug specification, revision 3.0,
 * chapter 6 "Payloads") as a protobufjs reflection descriptor. Isomorphic: protobufjs runs anywhere.
 *
 * Source and licence: the field names and numbers are those of `sparkplug_b.proto` as published by Eclipse Tahu
 * (https://github.com/eclipse/tahu, `sparkplug_b/sparkplug_b.proto`, package `org.eclipse.tahu.protobuf`,
 * Copyright (c) 2015, 2018 Cirrus Link Solutions and others, Eclipse Public License 2.0). They are the wire contract
 * every Sparkplug implementation shares; this descriptor restates them from the specification rather than copying
 * the file. Extension ranges are left out: protobufjs skips unknown fields either way.
 */
import protobuf from 'protobufjs';

/** protobufjs JSON descriptor: proto2, every scalar `optional` unless `rule: 'repeated'`. */
const descriptor = {
  nested: {
    Payload: {
      fields: {
        timestamp: { type: 'uint64', id: 1 },
        metrics: { rule: 'repeated', type: 'Metric', id: 2 },
        seq: { type: 'uint64', id: 3 },
        uuid: { type: 'string', id: 4 },
        body: { type: 'bytes', id: 5 },
      },
      nested: {
        Template: {
          fields: {
            version: { type: 'string', id: 1 },
            metrics: { rule: 'repeated', type: 'Metric', id: 2 },
            parameters: { rule: 'repeated', type: 'Parameter', id: 3 },
            templateRef: { type: 'string', id: 4 },
            isDefinition: { type: 'bool', id: 5 },
          },
          nested: {
            Parameter: {
              oneofs: {
                value: {
                  oneof: ['intValue', 'longValue', 'floatValue', 'doubleValue', 'booleanValue', 'stringValue'],
                },
              },
              fields: {
                name: { type: 'string', id: 1 },
                type: { type: 'uint32', id: 2 },
                intValue: { type: 'uint32', id: 3 },
                longValue: { type: 'uint64', id: 4 },
                floatValue: { type: 'float', id: 5 },
                doubleValue: { type: 'double', id: 6 },
                booleanValue: { type: 'bool', id: 7 },
                stringValue: { type: 'string', id: 8 },
              },
            },
          },
        },
        DataSet: {
          fields: {
            numOfColumns: { type: 'uint64', id: 1 },
            columns: { rule: 'repeated', type: 'string', id: 2 },
            types: { rule: 'repeated', type: 'uint32', id: 3 },
            rows: { rule: 'repeated', type: 'Row', id: 4 },
          },
          nested: {
            DataSetValue: {
              oneofs: {
                value: {
                  oneof: ['intValue', 'longValue', 'floatValue', 'doubleValue', 'booleanValue', 'stringValue'],
                },
              },
              fields: {
                intValue: { type: 'uint32', id: 1 },
                longValue: { type: 'uint64', id: 2 },
                floatValue: { type: 'float', id: 3 },
                doubleValue: { type: 'double', id: 4 },
                booleanValue: { type: 'bool', id: 5 },
                stringValue: { type: 'string', id: 6 },
              },
            },
            Row: { fields: { elements: { rule: 'repeated', type: 'DataSetValue', id: 1 } } },
          },
        },
        PropertyValue: {
          oneofs: {
            value: {
              oneof: [
                'intValue',
                'longValue',
                'floatValue',
                'doubleValue',
                'booleanValue',
                'stringValue',
                'propertysetValue',
                'propertysetsValue',
              ],
            },
          },
          fields: {
            type: { type: 'uint32', id: 1 },
            isNull: { type: 'bool', id: 2 },
            intValue: { type: 'uint32', id: 3 },
            longValue: { type: 'uint64', id: 4 },
            floatValue: { type: 'float', id: 5 },
            doubleValue: { type: 'double', id: 6 },
            booleanValue: { type: 'bool', id: 7 },
            stringValue: { type: 'string', id: 8 },
            propertysetValue: { type: 'PropertySet', id: 9 },
            propertysetsValue: { type: 'PropertySetList', id: 10 },
          },
        },
        PropertySet: {
          fields: {
            keys: { rule: 'repeated', type: 'string', id: 1 },
            values: { rule: 'repeated', type: 'PropertyValue', id: 2 },
          },
        },
        PropertySetList: { fields: { propertyset: { rule: 'repeated', type: 'PropertySet', id: 1 } } },
        MetaData: {
          fields: {
            isMultiPart: { type: 'bool', id: 1 },
            contentType: { type: 'string', id: 2 },
            size: { type: 'uint64', id: 3 },
            seq: { type: 'uint64', id: 4 },
            fileName: { type: 'string', id: 5 },
            fileType: { type: 'string', id: 6 },
            md5: { type: 'string', id: 7 },
            description: { type: 'string', id: 8 },
          },
        },
        Metric: {
          oneofs: {
            value: {
              oneof: [
                'intValue',
                'longValue',
                'floatValue',
                'doubleValue',
                'booleanValue',
                'stringValue',
                'bytesValue',
                'datasetValue',
                'templateValue',
              ],
            },
          },
          fields: {
            name: { type: 'string', id: 1 },
            alias: { type: 'uint64', id: 2 },
            timestamp: { type: 'uint64', id: 3 },
            datatype: { type: 'uint32', id: 4 },
            isHistorical: { type: 'bool', id: 5 },
            isTransient: { type: 'bool', id: 6 },
            isNull: { type: 'bool', id: 7 },
            metadata: { type: 'MetaData', id: 8 },
            properties: { type: 'PropertySet', id: 9 },
            intValue: { type: 'uint32', id: 10 },
            longValue: { type: 'uint64', id: 11 },
            floatValue: { type: 'float', id: 12 },
            doubleValue: { type: 'double', id: 13 },
            booleanValue: { type: 'bool', id: 14 },
            stringValue: { type: 'string', id: 15 },
            bytesValue: { type: 'bytes', id: 16 },
            datasetValue: { type: 'DataSet', id: 17 },
            templateValue: { type: 'Template', id: 18 },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);

/** The `Payload` message type: `decode(bytes)` and `encode(object).finish()`. */
export const PayloadType: protobuf.Type = root.lookupType('Payload');

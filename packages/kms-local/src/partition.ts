/** A Region name like us-east-1, cn-north-1 or us-gov-west-1. */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The ARN partition of a Region: `aws-cn` for the China Regions (cn-north-1, cn-northwest-1),
 * `aws-us-gov` for AWS GovCloud (US) (us-gov-west-1, us-gov-east-1), `aws` for the others.
 */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

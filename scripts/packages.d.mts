/** A publishable workspace package. */
export interface PublishedPackage {
  readonly name: string;
  readonly dir: string;
  readonly manifest: {
    readonly name: string;
    readonly dependencies?: Record<string, string>;
    readonly peerDependencies?: Record<string, string>;
    readonly bin?: Record<string, string>;
  };
}

export declare const root: string;
export declare function publishedPackages(): PublishedPackage[];
export declare function pack(pkg: PublishedPackage, destination: string): string;

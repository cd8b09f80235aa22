"""The crawl a developer would write with PyGithub: the baseline that benchmarks/crawl.py measures against.

For each repository of each organisation: get_readme(), read license and topics. One request at a time.
"""

from __future__ import annotations

import argparse

from github import Auth, Github, GithubException


def crawl(api_url: str, token: str, handles: list[str]) -> int:
    """Returns how many repositories were read."""
    gh = Github(base_url=api_url, auth=Auth.Token(token), seconds_between_requests=0, per_page=100)
    count = 0
    for handle in handles:
        for repo in gh.get_organization(handle).get_repos():
            try:
                readme = repo.get_readme().decoded_content
            except GithubException:
                readme = None
            _ = (readme, repo.license.spdx_id if repo.license else None, repo.topics)
            count += 1
    return count


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("handles", nargs="+")
    args = parser.parse_args()
    print(crawl(args.api_url, "benchmark-token", args.handles))

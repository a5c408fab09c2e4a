def log = new File(basedir, 'build.log').text
assert log.contains('e2e:tag') : 'help did not describe the tag goal'
assert log.contains('tagTemplate') : 'help did not list the tagTemplate parameter'
assert log.contains('BUILD SUCCESS') : 'log.contains(\'BUILD SUCCESS\') (see build.log)'
return true

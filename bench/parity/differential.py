"""Differential test of `hromadata validate` against frictionless-py on random schemas and CSVs.

Usage: FRICTIONLESS=/path/to/venv/bin/frictionless python3 bench/parity/differential.py SEED CASES
Prints every case where the verdict or the multiset of (rowNumber, fieldNumber, type) differs, and a count.
Not a test: it needs frictionless installed (bench/validate/run.sh makes a venv with 5.21.0).
"""
import random, json, os, subprocess, sys
random.seed(int(sys.argv[1]) if len(sys.argv)>1 else 1)
FL=os.environ.get('FRICTIONLESS', 'frictionless')
HD=os.environ.get('HROMADATA', os.path.join(os.path.dirname(__file__), '..', '..', 'target', 'debug', 'hromadata'))
WORK=os.environ.get('WORK', '/tmp/hromadata-differential')
vals = ['05.01.2023','1.5, 2.5','200, 10','a@b.ua','x@y','https://x.ua','123e4567-e89b-12d3-a456-426614174000','P1Y2M','PT1H','-P1D','1.0','01','2023-13','0000','9999','','1','-2','+3','007',' 4','1_000','1.5','1,5','abc','','NA','2023-01-05','2023-1-5','05.01.2023','true','False','yes','1e5','Infinity','nan','10:00:00','2023-01-15T10:00:00Z','2023-01-15 10:00:00','P1D','{"a":1}','[1,2]','2023','2023-05','"q,uoted"','UA05020030000031457','ф','  ','-0','0.0','.5','5.']
types = ['geopoint','list','string','integer','number','boolean','date','time','datetime','year','yearmonth','duration','object','array','any']
def rnd_schema(n):
    fields=[]
    for i in range(n):
        t=random.choice(types)
        f={'name':f'c{i}','type':t}
        c={}
        if random.random()<0.3: c['required']=True
        if random.random()<0.2 and t in ('integer','number'): c['minimum']=0
        if random.random()<0.2 and t=='string': c['pattern']='[0-9]+'
        if random.random()<0.15: c['unique']=True
        if random.random()<0.1 and t=='string': c['enum']=['1','abc','ф']
        if random.random()<0.1 and t=='string': c['maxLength']=2
        if c: f['constraints']=c
        if t=='number' and random.random()<0.2: f['decimalChar']=','
        if t=='date' and random.random()<0.3: f['format']=random.choice(['%d.%m.%Y','any','%Y-%m-%d'])
        if t=='string' and random.random()<0.3: f['format']=random.choice(['email','uri','uuid'])
        if t in ('integer','number') and random.random()<0.2: c['exclusiveMaximum']=100
        if t=='date' and random.random()<0.2: c['minimum']='2023-01-01'
        if t in ('integer','number') and random.random()<0.15: f['bareNumber']=False
        fields.append(f)
    s={'fields':fields}
    if random.random()<0.3: s['primaryKey']=['c0']
    if random.random()<0.2: s['missingValues']=['','NA']
    return s
mismatch=0
for case in range(int(sys.argv[2]) if len(sys.argv)>2 else 40):
    n=random.randint(1,4)
    schema=rnd_schema(n)
    hdr=[f'c{i}' for i in range(n)]
    r0=random.random()
    if r0<0.1 and n>1: hdr[1]=''
    elif r0<0.2 and n>1: hdr[1]=hdr[0]
    elif r0<0.3: hdr=hdr[:-1] if n>1 else hdr
    elif r0<0.4: hdr=hdr+['extra']
    rows=[','.join(hdr)]
    for r in range(random.randint(0,6)):
        k=n+random.choice([0,0,0,0,-1,1])
        cells=[random.choice(vals) for _ in range(max(k,0))]
        cells=[('"'+c.replace('"','""')+'"') if (',' in c or '"' in c) and not c.startswith('"') else c for c in cells]
        rows.append(','.join(cells))
    d=os.path.join(WORK, f'c{case}'); os.makedirs(d,exist_ok=True)
    open(f'{d}/t.csv','w').write('\n'.join(rows)+'\n')
    json.dump(schema,open(f'{d}/s.json','w'))
    use_schema = random.random()<0.8
    args=['t.csv']+(['--schema','s.json'] if use_schema else [])
    fl=subprocess.run([FL,'validate','--json']+args,cwd=d,capture_output=True,text=True)
    try:
        fr=json.loads(fl.stdout)
    except Exception:
        print('FL fail', d, fl.stdout[:200], fl.stderr[:200]); continue
    hd=subprocess.run([HD,'validate','--format','json']+args,cwd=d,capture_output=True,text=True)
    try: hr=json.loads(hd.stdout)
    except Exception: print('HD fail', d, hd.stderr[:300]); mismatch+=1; continue
    def trip(r):
        out=[]
        for e in r.get('errors',[]): out.append((e.get('rowNumber'),e.get('fieldNumber'),e['type']))
        for t in r.get('tasks',[]):
            for e in t.get('errors',[]): out.append((e.get('rowNumber'),e.get('fieldNumber'),e['type']))
        return sorted(out, key=str)
    a,b=trip(fr),trip(hr)
    if (fr['valid'],a)!=(hr['valid'],b):
        mismatch+=1
        print('MISMATCH',d,args); print('  fl',fr['valid'],a); print('  hd',hr['valid'],b)
print('mismatches',mismatch)
